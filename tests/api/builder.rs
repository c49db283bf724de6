//! Test data in one expression: a message built, created over the API and moved through the
//! handling steps, every call's status checked.
//!
//! ```ignore
//! let id = app.message().channel("website_error").received("2026-10-12T08:00:00+08:00")
//!     .replied("已修复。").create().await;
//! ```

use huiyin::auth::Role;
use huiyin::clock::Clock;
use serde_json::{json, Value};

use crate::helpers::{mailbox, website_error, TestApp};

/// A step the holding department's clerk takes once the message exists, at the clock's time.
enum Step {
    /// Returned to the office with this reason.
    Returned(String),
    /// Replied with this body (for reviewed channels: submitted for review).
    Replied(String),
}

/// A message to create: a mayor's-mailbox consultation for zjj received now, unless told otherwise.
pub struct MessageBuilder<'a> {
    app: &'a TestApp,
    channel: String,
    department: String,
    received: Option<String>,
    subject: Option<String>,
    steps: Vec<Step>,
}

impl TestApp {
    /// Starts a message; see [`MessageBuilder`].
    pub fn message(&self) -> MessageBuilder<'_> {
        MessageBuilder {
            app: self,
            channel: "mayor_mailbox".into(),
            department: "zjj".into(),
            received: None,
            subject: None,
            steps: Vec::new(),
        }
    }

    /// Posts `body` to `path` and asserts the answer's `status`; gives the answer's body.
    pub async fn post_expect(&self, token: &str, path: &str, body: &Value, status: u16) -> Value {
        let (got, answer) = self.post(token, path, body).await;
        assert_eq!(
            got, status,
            "{}: POST {path} {body}: {answer}",
            self.backend
        );
        answer
    }

    /// Posts `body` to `/api/v1/messages/{id}/{action}` and asserts 200; gives the message.
    pub async fn act(&self, token: &str, id: i64, action: &str, body: Value) -> Value {
        self.post_expect(
            token,
            &format!("/api/v1/messages/{id}/{action}"),
            &body,
            200,
        )
        .await
    }

    /// The message's detail as an admin sees it (history, requests, submissions).
    pub async fn detail(&self, id: i64) -> Value {
        let (status, body) = self
            .get(&self.admin, &format!("/api/v1/messages/{id}"))
            .await;
        assert_eq!(status, 200, "{}: message {id}: {body}", self.backend);
        body
    }
}

/// The first event of `kind` in a message's detail.
pub fn event<'v>(detail: &'v Value, kind: &str) -> &'v Value {
    detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event in {}", detail["events"]))
}

impl MessageBuilder<'_> {
    /// `mayor_mailbox` (a consultation with a citizen) or `website_error` (an error report on a site).
    pub fn channel(mut self, channel: &str) -> Self {
        assert!(
            ["mayor_mailbox", "website_error"].contains(&channel),
            "unknown channel {channel}"
        );
        self.channel = channel.into();
        self
    }

    /// The department that holds it (zjj by default).
    pub fn department(mut self, code: &str) -> Self {
        self.department = code.into();
        self
    }

    /// When it was received (RFC 3339); the clock's time by default.
    pub fn received(mut self, at: &str) -> Self {
        self.received = Some(at.into());
        self
    }

    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The department's clerk returns it to the office.
    pub fn returned(mut self, reason: &str) -> Self {
        self.steps.push(Step::Returned(reason.into()));
        self
    }

    /// The department's clerk replies.
    pub fn replied(mut self, body: &str) -> Self {
        self.steps.push(Step::Replied(body.into()));
        self
    }

    /// Creates it (asserting 201), takes the steps (asserting 200 each) and gives its id.
    pub async fn create(self) -> i64 {
        let app = self.app;
        let received = self
            .received
            .clone()
            .unwrap_or_else(|| app.clock.now().to_rfc3339());
        let mut body = match self.channel.as_str() {
            "website_error" => website_error(&self.department, &received),
            _ => mailbox(&self.department, &received),
        };
        if let Some(subject) = &self.subject {
            body["subject"] = json!(subject);
        }
        let created = app
            .post_expect(&app.admin, "/api/v1/messages", &body, 201)
            .await;
        let id = created["id"].as_i64().expect("an id");
        if self.steps.is_empty() {
            return id;
        }
        let clerk = app.token(Role::Clerk, Some(&self.department)).await;
        for step in &self.steps {
            match step {
                Step::Returned(reason) => {
                    let out = app
                        .act(&clerk, id, "return", json!({"reason": reason}))
                        .await;
                    assert_eq!(out["department"], "gov-office", "{}: {out}", app.backend);
                }
                Step::Replied(text) => {
                    app.act(&clerk, id, "reply", json!({"body": text})).await;
                }
            }
        }
        id
    }

    /// Like [`create`](Self::create), giving the message's detail after the steps.
    pub async fn create_detail(self) -> Value {
        let app = self.app;
        let id = self.create().await;
        app.detail(id).await
    }
}
