//! The OpenAPI 3 document of the whole API, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{alerts, calendar, handling, inspection, messages, metrics, reports};

#[derive(OpenApi)]
#[openapi(
    info(title = "huiyin (回音) API", description = "Citizen messages tracked to an answer within working days."),
    paths(
        super::health, super::ready, metrics::metrics,
        messages::create, messages::import, messages::list, messages::show, messages::reply,
        messages::transfer, messages::pause, messages::resume, messages::extend,
        messages::mark_invalid, messages::reopen,
        handling::request_extension, handling::approve_extension, handling::refuse_extension,
        handling::request_pause, handling::approve_pause, handling::refuse_pause,
        handling::return_to_office, handling::reassign, handling::verdict, handling::review,
        calendar::deadline, calendar::days, calendar::reload,
        alerts::list,
        reports::stats, reports::report_file, reports::regenerate,
        inspection::self_check,
    ),
    components(schemas(crate::error::ErrorEnvelope, crate::intake::ImportReport, crate::intake::ImportLine, messages::MessageReceipt,
        alerts::AlertView, alerts::AlertPage, crate::escalation::outbox::Backlog, crate::reports::Report,
        crate::inspection::SelfCheck)),
    modifiers(&BearerAuth, &ErrorResponses, &OptionalBodies)
)]
pub struct ApiDoc;

/// The error answers every operation can give besides its own (declared on the handler): 400
/// for an unreadable query, path or body, 401 without a valid token, 403 for a role that may
/// not act, 404 for an id the caller cannot see, 413 for a body over the limit, 422 for values
/// the API does not accept, 503 when the database pool is exhausted, 500; all in the envelope.
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let envelope = |why: &str| {
            ResponseBuilder::new()
                .description(why)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                let secured = op.security.is_some();
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let has_body = op.request_body.is_some();
                let mut add = |status: &str, why: &str, when: bool| {
                    if when && !op.responses.responses.contains_key(status) {
                        op.responses
                            .responses
                            .insert(status.to_string(), envelope(why).into());
                    }
                };
                add(
                    "400",
                    "the query, path or body cannot be read",
                    has_params || has_body,
                );
                add("401", "no valid bearer token", secured);
                add("403", "the token's role may not do this", secured);
                add(
                    "404",
                    "no such item, or one the caller may not see",
                    path.contains('{'),
                );
                add("413", "the body is over the limit", has_body);
                add(
                    "422",
                    "a value the API does not accept",
                    has_params || has_body,
                );
                add("500", "internal error (logged)", true);
                add("503", "the database is unavailable", true);
            }
        }
    }
}

/// The operations whose JSON body may be left out (`OptionalJson`): no body is no reason.
struct OptionalBodies;

const OPTIONAL_BODIES: [&str; 3] = [
    "/api/v1/messages/{id}/reopen",
    "/api/v1/messages/{id}/extension-requests/{request}/approve",
    "/api/v1/messages/{id}/pause-requests/{request}/approve",
];

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for path in OPTIONAL_BODIES {
            let op = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|i| i.post.as_mut());
            if let Some(body) = op.and_then(|o| o.request_body.as_mut()) {
                body.required = Some(utoipa::openapi::Required::False);
            }
        }
    }
}

/// The methods the document declares for a request path (`/api/v1/messages/7`), or `None`
/// when no documented path matches: an undeclared method on a known path is a 405.
pub fn declared_methods(path: &str) -> Option<Vec<&'static str>> {
    static DOC: std::sync::OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                if item.get.is_some() {
                    methods.push("GET");
                }
                if item.post.is_some() {
                    methods.push("POST");
                }
                (template.split('/').map(str::to_string).collect(), methods)
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    let literal = doc
        .iter()
        .find(|(template, _)| template.iter().eq(segments.iter()));
    literal
        .or_else(|| {
            doc.iter().find(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| {
                        (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                    })
            })
        })
        .map(|(_, methods)| methods.clone())
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /openapi.json`
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
