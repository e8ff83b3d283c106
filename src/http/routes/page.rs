//! The shape of every list answer.

use serde::Serialize;
use utoipa::ToSchema;

use crate::services::page::Listing;

/// One page of a list; pass `next_cursor` back as `cursor` for the next. It is null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// The page a service listed, each record shown as `T`.
    pub fn from_listing<R>(listing: Listing<R>, show: impl FnMut(R) -> T) -> Self {
        Self {
            data: listing.items.into_iter().map(show).collect(),
            next_cursor: listing.next_cursor,
        }
    }
}
