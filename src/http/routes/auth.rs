//! Signing in and out, and what the signed-in principal can see of itself.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::extract::{ApiJson, request_meta};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::users::UserView;
use crate::services::access::{AccessService, Credential, LoginInput, Principal, SessionView};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"organization": "fjordklinikken", "email": "kari@clinic.example", "password": "correct horse battery staple"}))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The organization's slug.
    organization: String,
    email: String,
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; Praxis keeps only its hash.
    token: String,
    /// The absolute expiry; the session also ends after the configured idle time.
    expires_at: Timestamp,
    user: UserView,
}

/// The caller: a signed-in user or an API key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` or `api_key`.
    kind: &'static str,
    id: Uuid,
    organization_id: Uuid,
    /// The user's roles; absent for an API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<Vec<String>>,
    /// The key's scopes; absent for a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Signs in with the organization's slug, an e-mail and a password.
///
/// An unknown organization or e-mail, a wrong password and a locked account all answer the same 401.
#[utoipa::path(
    post, path = "/api/v1/auth/login", operation_id = "login", tag = "access", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 400, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn login(
    State(access): State<AccessService>,
    parts: Parts,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let input = LoginInput {
        organization: request.organization,
        email: request.email,
        password: request.password,
    };
    let outcome = access.login(input, request_meta(&parts)).await?;
    Ok(Json(LoginResponse {
        token: outcome.token,
        expires_at: outcome.expires_at,
        user: outcome.user,
    }))
}

/// Ends the session whose token made the request.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "access", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key cannot sign out", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn logout(
    State(access): State<AccessService>,
    principal: Principal,
) -> Result<StatusCode, ApiError> {
    access.logout(&principal).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in.
#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "read_me", tag = "access", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn me(principal: Principal) -> Json<Me> {
    let names = |items: Vec<String>| Some(items);
    Json(match &principal.credential {
        Credential::User { user_id, roles, .. } => Me {
            kind: "user",
            id: *user_id,
            organization_id: principal.organization_id,
            roles: names(roles.iter().map(ToString::to_string).collect()),
            scopes: None,
        },
        Credential::ApiKey { api_key_id, scopes } => Me {
            kind: "api_key",
            id: *api_key_id,
            organization_id: principal.organization_id,
            roles: None,
            scopes: names(scopes.iter().map(ToString::to_string).collect()),
        },
    })
}

/// The signed-in user's live sessions, newest first.
#[utoipa::path(
    get, path = "/api/v1/me/sessions", operation_id = "list_my_sessions", tag = "access", security(("bearer" = [])),
    responses(
        (status = 200, description = "Live sessions", body = Vec<SessionView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "API keys have no sessions", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn sessions(
    State(access): State<AccessService>,
    principal: Principal,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    Ok(Json(access.sessions(&principal).await?))
}

/// Ends one of the signed-in user's sessions, e.g. on a lost device.
#[utoipa::path(
    delete, path = "/api/v1/me/sessions/{id}", operation_id = "revoke_my_session", tag = "access", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "API keys have no sessions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live session of this user", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn revoke_session(
    State(access): State<AccessService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    access.revoke_session(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the signed-in user's password; every other session of the user ends.
#[utoipa::path(
    put, path = "/api/v1/me/password", operation_id = "change_my_password", tag = "access", security(("bearer" = [])), request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "API keys have no password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or the new one breaks a rule", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn change_password(
    State(access): State<AccessService>,
    principal: Principal,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    access
        .change_password(&principal, change.current_password, change.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
