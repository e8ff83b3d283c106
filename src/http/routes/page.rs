//! The shape of every list answer.

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::extract::encode_cursor;

/// One page of a list; pass `next_cursor` back as `cursor` for the next. It is null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// `data` was read with one record more than `limit` (see [`read_limit`]): that extra record only
    /// tells whether a next page exists, so a page never promises a successor that turns out empty.
    pub fn new<K: ToString>(mut data: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Self {
        let more = data.len() > limit as usize;
        data.truncate(limit as usize);
        let next_cursor = if more {
            data.last().map(|last| encode_cursor(key(last)))
        } else {
            None
        };
        Self { data, next_cursor }
    }
}

/// How many records to read for a page of `limit`.
pub fn read_limit(limit: u32) -> i64 {
    i64::from(limit) + 1
}
