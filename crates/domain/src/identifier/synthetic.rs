//! Valid-looking identifiers for demo data and property tests.
//!
//! Only the NHS keeps a range that its own rules accept but that is never issued to patients
//! (999 000 0000–999 999 9999), and the generator stays inside it. The other schemes have at most a fixed
//! list of test numbers, or test numbers outside the official rules (Norway's synthetic numbers, US
//! advertising numbers), which this crate refuses. So a generated number in those schemes may be a real
//! person's, and must never leave a demo or test environment.

use jiff::civil::Date;

use super::{IdentifierSystem, NationalIdentifier, denmark, finland, norway, sweden, uk, us};

/// A deterministic pseudo-random sequence (SplitMix64): the same seed gives the same identifiers on every
/// machine and every run, without a dependency or any I/O.
#[derive(Debug)]
pub(super) struct Seed(u64);

impl Seed {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be 0. The bias of taking a remainder is far below what demo data
    /// could notice.
    pub(super) fn below(&mut self, n: u32) -> u32 {
        // The remainder is below `n`, so it fits.
        (self.next() % u64::from(n)) as u32
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        // Slices here are a handful of items long.
        items[self.below(items.len() as u32) as usize]
    }
}

/// A valid identifier of `system` for someone born on `birth_date`, the same for the same `seed`.
///
/// A birth date the scheme cannot encode is moved to the nearest one it can (Norwegian numbers cover
/// 1854–2039, Danish 1858–2057, Swedish and Finnish 1800–2099), so that every call gives a valid
/// identifier. The birth date is ignored by the schemes that do not encode one.
pub fn synthetic(system: IdentifierSystem, birth_date: Date, seed: u64) -> NationalIdentifier {
    let mut seed = Seed(seed);
    let value = match system {
        IdentifierSystem::NoFnr | IdentifierSystem::NoDnr | IdentifierSystem::NoHnr => {
            norway::synthetic(system, birth_date, &mut seed)
        }
        IdentifierSystem::SePnr | IdentifierSystem::SeSnr => sweden::synthetic(system, birth_date, &mut seed),
        IdentifierSystem::DkCpr => denmark::synthetic(birth_date, &mut seed),
        IdentifierSystem::FiHetu => finland::synthetic(birth_date, &mut seed),
        IdentifierSystem::UkNhs => uk::synthetic(&mut seed),
        IdentifierSystem::UsSsn => us::synthetic(&mut seed),
    };
    NationalIdentifier::from_normalised(system, &value)
        .expect("each generator writes only numbers that its scheme's parser accepts")
}
