//! Column types that mean the same on both backends.

use jiff::Timestamp;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};

/// An instant, to the microsecond: `timestamptz` on PostgreSQL, integer microseconds since the Unix epoch on
/// SQLite (text would not sort correctly, since RFC 3339 strings vary in their fractional digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbTime(Timestamp);

impl DbTime {
    pub fn new(instant: Timestamp) -> Self {
        Self(praxis_domain::audit::truncate_to_micros(instant))
    }

    pub fn now() -> Self {
        Self::new(Timestamp::now())
    }

    pub fn get(self) -> Timestamp {
        self.0
    }
}

impl From<Timestamp> for DbTime {
    fn from(instant: Timestamp) -> Self {
        Self::new(instant)
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.0.as_microsecond(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let micros = <i64 as Decode<Sqlite>>::decode(value)?;
        Ok(Self(Timestamp::from_microsecond(micros)?))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <jiff_sqlx::Timestamp as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode(jiff_sqlx::Timestamp::from(self.0), buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let instant = <jiff_sqlx::Timestamp as Decode<Postgres>>::decode(value)?;
        Ok(Self(instant.to_jiff()))
    }
}
