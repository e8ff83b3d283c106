//! Cursor pages, checked inside the services so that a caller without the permission learns nothing,
//! not even that their paging parameters were wrong.

use std::str::FromStr;

use super::error::{FieldIssue, ServiceError, ServiceResult};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// `limit` and `cursor` as the caller sent them.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// A checked page request: how many, after which key.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec<K> {
    pub limit: u32,
    pub after: Option<K>,
}

impl<K> PageSpec<K> {
    /// One record more than the page holds: the extra one only tells whether a next page exists, so a
    /// page never promises a successor that turns out empty.
    pub fn read_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

impl PageRequest {
    pub fn check<K: FromStr>(&self) -> ServiceResult<PageSpec<K>> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            )]));
        }
        let after = match &self.cursor {
            None => None,
            Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
                ServiceError::Invalid(vec![FieldIssue::new(
                    "cursor",
                    "invalid_cursor",
                    "the cursor is not one this server handed out",
                )])
            })?),
        };
        Ok(PageSpec { limit, after })
    }
}

/// A page of records and the cursor of the next, if there is one.
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Listing<T> {
    /// `rows` were read with [`PageSpec::read_limit`]; `key` names the record a cursor resumes after.
    pub fn new<K, D: ToString>(mut rows: Vec<T>, spec: &PageSpec<K>, key: impl Fn(&T) -> D) -> Self {
        let more = rows.len() > spec.limit as usize;
        rows.truncate(spec.limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| hex::encode(key(last).to_string()))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

/// Cursors are opaque to clients: the key, hex-encoded.
fn decode_cursor<K: FromStr>(cursor: &str) -> Option<K> {
    let bytes = hex::decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_resumes_after_the_last_record_of_a_full_page() {
        let spec = PageRequest {
            limit: Some(2),
            cursor: None,
        }
        .check::<u32>()
        .unwrap();
        let listing = Listing::new(vec![1u32, 2, 3], &spec, |n| *n);
        assert_eq!(listing.items, [1, 2]);
        let next = PageRequest {
            limit: Some(2),
            cursor: listing.next_cursor,
        };
        assert_eq!(next.check::<u32>().unwrap().after, Some(2));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let spec = PageRequest {
            limit: Some(2),
            cursor: None,
        }
        .check::<u32>()
        .unwrap();
        assert!(Listing::new(vec![1u32, 2], &spec, |n| *n).next_cursor.is_none());
    }

    #[test]
    fn limits_out_of_range_and_foreign_cursors_are_refused() {
        for limit in [0, MAX_LIMIT + 1] {
            assert!(
                PageRequest {
                    limit: Some(limit),
                    cursor: None
                }
                .check::<u32>()
                .is_err()
            );
        }
        assert!(
            PageRequest {
                limit: None,
                cursor: Some("zz".into())
            }
            .check::<u32>()
            .is_err()
        );
        assert!(
            PageRequest {
                limit: None,
                cursor: Some(hex::encode("x"))
            }
            .check::<u32>()
            .is_err()
        );
    }
}
