//! The API's caller: the `Authorization: Bearer` token read into an [`auth::Principal`], through a short cache of recently used tokens (the pages have their session cookie instead, `web::session::CurrentUser`).

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::auth::{self, Principal};
use crate::error::AppError;

use super::AppState;

impl FromRequest for Principal {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let token = header
                .as_deref()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(AppError::Unauthorized)?
                .to_string();
            let hash = auth::hash_token(&token);
            if let Some(p) = state.tokens.get(&hash) {
                return Ok(p);
            }
            let found = {
                let hash = hash.clone();
                state
                    .db
                    .run(move |conn| crate::directory::principal_for_token(conn, &hash))
                    .await?
            };
            let principal = found.ok_or(AppError::Unauthorized)?;
            state.tokens.put(hash, principal.clone());
            Ok(principal)
        })
    }
}
