//! How a page request fails: a redirect to the login page, or an error page in Chinese with the status of the underlying [`AppError`].

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::error::AppError;

use super::Layout;

/// Every failure of a page or form.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// No valid session: go to the login page, then back to `next`.
    #[error("login required")]
    LoginRequired { next: String },
    /// The form's CSRF token is missing or not the session's.
    #[error("invalid or missing CSRF token")]
    Csrf,
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    detail: &'static str,
}

impl WebError {
    fn texts(&self) -> (&'static str, &'static str) {
        match self {
            WebError::Csrf => (
                "表单已失效",
                "页面打开时间过长或已在别处退出登录。请返回上一页，刷新后重新提交。",
            ),
            WebError::LoginRequired { .. } => ("请先登录", "登录后才能查看此页面。"),
            WebError::App(e) => match e {
                AppError::Forbidden(_) => (
                    "无权访问",
                    "您没有查看或办理此内容的权限：留言属于其他部门，或此功能需要更高的角色。",
                ),
                AppError::NotFound(_) => ("未找到", "您要找的页面或留言不存在。"),
                AppError::Unauthorized => ("请先登录", "登录后才能查看此页面。"),
                AppError::BadRequest { .. }
                | AppError::Invalid { .. }
                | AppError::MethodNotAllowed(_) => (
                    "请求有误",
                    "提交的内容或地址中的参数有误，请返回检查后重试。",
                ),
                AppError::Conflict(_) => (
                    "操作未执行",
                    "该内容的状态已经变化，请刷新页面查看最新情况。",
                ),
                AppError::TooLarge(_) => ("内容过长", "提交的内容超过了允许的长度。"),
                AppError::Unavailable(_) => ("系统繁忙", "系统暂时无法处理请求，请稍后再试。"),
                AppError::Internal(_) => (
                    "系统错误",
                    "处理请求时发生内部错误，请稍后再试；如仍有问题，请联系系统管理员。",
                ),
            },
        }
    }
}

/// Only same-site paths may follow a login (never `//host` or a full URL).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::App(e) => e.status_code(),
            WebError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            WebError::Csrf => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            WebError::LoginRequired { next } => {
                let q =
                    serde_urlencoded::to_string([("next", safe_next(next))]).unwrap_or_default();
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/login?{q}")))
                    .finish();
            }
            WebError::App(AppError::Internal(e)) => {
                tracing::error!(error.cause_chain = ?e, "internal error on a page")
            }
            WebError::App(AppError::Unavailable(why)) => {
                tracing::warn!(error.cause = %why, "unavailable")
            }
            _ => {}
        }
        let (heading, detail) = self.texts();
        let page = ErrorPage {
            layout: Layout::anonymous(heading),
            status: self.status_code().as_u16(),
            heading,
            detail,
        };
        match page.render() {
            Ok(html) => super::html_response(self.status_code(), html),
            Err(_) => HttpResponse::build(self.status_code())
                .content_type("text/plain; charset=utf-8")
                .body(heading),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_follow_a_login() {
        assert_eq!(safe_next("/messages/3"), "/messages/3");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
