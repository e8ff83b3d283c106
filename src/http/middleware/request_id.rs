//! `X-Request-Id`: taken from the caller when well-formed, generated otherwise, and echoed in the answer,
//! the log line and any problem body.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
const MAX_LEN: usize = 128;

#[derive(Clone, Debug)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Ids travel into logs and JSON, so only a conservative alphabet is taken from outside.
fn well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'=' | b'+' | b'/'))
}

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id: Arc<str> = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| well_formed(value))
        .map(Arc::from)
        .unwrap_or_else(|| Arc::from(uuid::Uuid::now_v7().to_string()));
    request.extensions_mut().insert(RequestId(Arc::clone(&id)));
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span).await;
    let value = HeaderValue::from_str(&id).expect("a well-formed id is a valid header value");
    response.headers_mut().insert(REQUEST_ID_HEADER, value);
    response
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn ids_from_proxies_and_uuids_are_taken() {
        assert!(well_formed("0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11"));
        assert!(well_formed("Root=1-67891233-abcdef012345678912345678"));
    }

    #[test]
    fn ids_that_could_forge_log_lines_are_replaced() {
        assert!(!well_formed(""));
        assert!(!well_formed("a b"));
        assert!(!well_formed("line\nbreak"));
        assert!(!well_formed("quote\"d"));
        assert!(!well_formed(&"x".repeat(129)));
    }
}
