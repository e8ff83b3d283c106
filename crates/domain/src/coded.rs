//! Enums stored as fixed codes, shared by the record types.

/// Defines an enum stored as a fixed snake_case code, with its own error for an unknown code.
///
/// Serde goes through the same `FromStr`, because serde's derived error for an unknown variant repeats the
/// input, and what arrives in a field such as a patient's sex must not end up in an error message.
macro_rules! coded_enum {
    (
        $(#[$doc:meta])* $name:ident, $error:ident, $code:literal, $message:literal,
        { $($(#[$variant_doc:meta])* $variant:ident => $text:literal,)+ }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)+
        }

        #[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
        pub enum $error {
            #[error($message)]
            Unknown,
        }

        impl $error {
            pub fn code(&self) -> &'static str {
                match self {
                    Self::Unknown => $code,
                }
            }
        }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$(Self::$variant),+];

            /// The code stored in the database and sent in JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.into_iter().find(|value| value.as_str() == s).ok_or($error::Unknown)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }
    };
}
