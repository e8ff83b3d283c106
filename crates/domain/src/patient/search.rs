//! The folded form of names that patient search compares.
//!
//! Receptionists type what they hear: `ostby` for Østby, `muller` for Müller. Names are therefore stored a
//! second time in this folded form, and the search text is folded the same way, so that a prefix match on
//! the folded forms finds the patient whatever case, accents or keyboard were used. The folded form is for
//! matching only; it is never shown.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `text` for case- and accent-insensitive prefix search.
///
/// In order: Unicode NFKD (so `é` becomes `e` + a combining accent and compatibility forms such as `ﬁ` or
/// full-width letters become plain ones), lowercase, NFKD again (lowercasing can produce a composed
/// letter), combining marks removed, then the letters that have no decomposition mapped by hand (`ø` to
/// `o`, `æ` to `ae`, `ß` to `ss`, `þ` to `th`, ...), and runs of whitespace collapsed to one space with none
/// at the ends.
///
/// Folding its own output changes nothing, so a stored key can be compared with a folded query directly.
pub fn search_key(text: &str) -> String {
    let decomposed = text
        .nfkd()
        .flat_map(char::to_lowercase)
        .nfkd()
        .filter(|&c| !is_combining_mark(c));
    let mut folded = String::with_capacity(text.len());
    for c in decomposed {
        match fold_letter(c) {
            Some(replacement) => folded.push_str(replacement),
            None => folded.push(c),
        }
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letters that are distinct letters rather than accented ones, so NFKD leaves them alone, but that people
/// who lack them on their keyboard write in the way given here. Apostrophe look-alikes become `'`, so that
/// `O’Brien` pasted from a letter is found by `o'brien`.
fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ł' => "l",
        'đ' => "d",
        'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        // Greek final sigma is the same letter as σ, written at the end of a word.
        'ς' => "σ",
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => "'",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn search_key_folds_scandinavian_letters() {
        assert_eq!(search_key("Østby"), "ostby");
        assert_eq!(search_key("Ærø"), "aero");
        assert_eq!(search_key("Åse"), "ase");
        assert_eq!(search_key("Bjørnæs-Håland"), "bjornaes-haland");
    }

    #[test]
    fn search_key_removes_accents() {
        assert_eq!(search_key("Müller"), "muller");
        assert_eq!(search_key("Çelik"), "celik");
        assert_eq!(search_key("José Núñez"), "jose nunez");
        assert_eq!(search_key("Dvořák"), "dvorak");
        // The same name typed with a combining accent folds the same way.
        assert_eq!(search_key("Mu\u{308}ller"), "muller");
    }

    #[test]
    fn search_key_maps_letters_that_do_not_decompose() {
        assert_eq!(search_key("Straße"), "strasse");
        assert_eq!(search_key("STRAẞE"), "strasse");
        assert_eq!(search_key("Œuvray"), "oeuvray");
        assert_eq!(search_key("Łukasz"), "lukasz");
        assert_eq!(search_key("Đorđević"), "dordevic");
        assert_eq!(search_key("Þórður"), "thordur");
        assert_eq!(search_key("Yıldız"), "yildiz");
        assert_eq!(search_key("İpek"), "ipek");
    }

    #[test]
    fn search_key_folds_compatibility_forms() {
        assert_eq!(search_key("ﬁnn"), "finn");
        assert_eq!(search_key("ＫＡＲＩ"), "kari");
    }

    #[test]
    fn search_key_keeps_apostrophes_and_hyphens() {
        assert_eq!(search_key("O'Brien"), "o'brien");
        assert_eq!(search_key("O’Brien"), "o'brien");
        assert_eq!(search_key("Smith-Jones"), "smith-jones");
    }

    #[test]
    fn search_key_collapses_whitespace() {
        assert_eq!(
            search_key("  Kari \t Anne\u{a0}\nNordmann  "),
            "kari anne nordmann"
        );
        assert_eq!(search_key("   "), "");
    }

    #[test]
    fn search_key_makes_prefixes_match() {
        assert!(search_key("Østbye-Ånensen").starts_with(&search_key("ØSTB")));
        assert!(search_key("Müller").starts_with(&search_key("mu")));
    }

    proptest! {
        #[test]
        fn search_key_is_idempotent(s in "\\PC{0,40}") {
            let once = search_key(&s);
            prop_assert_eq!(search_key(&once), once);
        }

        #[test]
        fn search_key_is_idempotent_on_latin_names(s in "[ a-zA-ZÀ-ɏ'’-]{0,40}") {
            let once = search_key(&s);
            prop_assert_eq!(search_key(&once), once.clone());
            prop_assert!(!once.chars().any(char::is_uppercase));
        }

        #[test]
        fn search_key_ignores_case(s in "[a-zA-ZÀ-ÿ ]{0,40}") {
            prop_assert_eq!(search_key(&s.to_uppercase()), search_key(&s.to_lowercase()));
        }
    }
}
