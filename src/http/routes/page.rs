//! The shape of every list answer.

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::extract::encode_cursor;

/// One page of a list; pass `next_cursor` back as `cursor` for the next. Absent on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// A full page may have a successor; its last key becomes the cursor.
    pub fn new<K: ToString>(data: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Self {
        let full = data.len() == limit as usize;
        let next_cursor = if full {
            data.last().map(|last| encode_cursor(key(last)))
        } else {
            None
        };
        Self { data, next_cursor }
    }
}
