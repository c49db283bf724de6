//! Outgoing email: the SMTP endpoint from configuration, and a mailer that sends over SMTP (lettre, rustls) or writes `.eml` files in dry-run mode.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use sha2::Digest;

use serde::Deserialize;

use crate::privacy::Secret;

/// `[smtp]` of the settings: the relay, the sender, dry-run mode.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub url: Secret,
    pub from: String,
    pub dry_run_dir: String,
    pub timeout_secs: u64,
}

/// How to reach the SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpEndpoint {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpEndpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS: only for a relay on the same host or a test receiver.
    Plain,
    StartTls,
    Tls,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid SMTP URL: {0}")]
    Url(String),
    #[error("invalid address {0}")]
    Address(String),
    #[error("could not build the email: {0}")]
    Build(String),
    #[error("SMTP delivery failed: {0}")]
    Smtp(String),
    #[error("could not write the dry-run email: {0}")]
    Io(#[from] std::io::Error),
}

impl SmtpEndpoint {
    /// `smtp://[user:pass@]host[:port]`, `smtp+starttls://…` or `smtps://…`.
    pub fn parse(s: &str) -> Result<SmtpEndpoint, MailError> {
        let url = url::Url::parse(s).map_err(|e| MailError::Url(e.to_string()))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (SmtpSecurity::Plain, 25),
            "smtp+starttls" => (SmtpSecurity::StartTls, 587),
            "smtps" => (SmtpSecurity::Tls, 465),
            other => {
                return Err(MailError::Url(format!(
                    "scheme '{other}' is not smtp, smtp+starttls or smtps"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| MailError::Url("no host".into()))?
            .to_string();
        let credentials = (!url.username().is_empty()).then(|| {
            (
                percent_decode(url.username()),
                percent_decode(url.password().unwrap_or_default()),
            )
        });
        Ok(SmtpEndpoint {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
        })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// An email ready to go.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    /// (file name, bytes, MIME type) of each attached file.
    pub attachments: Vec<(String, Vec<u8>, String)>,
}

/// Sends email over SMTP, or into a folder in dry-run mode.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Mailer {
    pub fn from_settings(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| MailError::Address(settings.from.clone()))?;
        if !settings.dry_run_dir.is_empty() {
            return Ok(Mailer {
                from,
                transport: Transport::Folder(PathBuf::from(&settings.dry_run_dir)),
            });
        }
        let ep = SmtpEndpoint::parse(settings.url.expose())?;
        let builder = match ep.security {
            SmtpSecurity::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&ep.host)
            }
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&ep.host)
                    .map_err(|e| MailError::Smtp(e.to_string()))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&ep.host)
                .map_err(|e| MailError::Smtp(e.to_string()))?,
        };
        let mut builder = builder
            .port(ep.port)
            .timeout(Some(Duration::from_secs(settings.timeout_secs)));
        if let Some((user, pass)) = ep.credentials {
            builder = builder.credentials(Credentials::new(user, pass));
        }
        Ok(Mailer {
            from,
            transport: Transport::Smtp(builder.build()),
        })
    }

    fn build(&self, email: &Email, message_id: Option<String>) -> Result<Message, MailError> {
        let mut b = Message::builder()
            .from(self.from.clone())
            .message_id(message_id)
            .subject(&email.subject);
        for to in &email.to {
            b = b.to(to.parse().map_err(|_| MailError::Address(to.clone()))?);
        }
        for cc in &email.cc {
            b = b.cc(cc.parse().map_err(|_| MailError::Address(cc.clone()))?);
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone());
        let msg = if email.attachments.is_empty() {
            b.singlepart(text)
        } else {
            let mut parts = MultiPart::mixed().singlepart(text);
            for (name, bytes, mime) in &email.attachments {
                let ct = ContentType::parse(mime).map_err(|e| MailError::Build(e.to_string()))?;
                parts = parts.singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct));
            }
            b.multipart(parts)
        };
        msg.map_err(|e| MailError::Build(e.to_string()))
    }

    /// Sends one email; `key` names the dry-run file.
    pub async fn send(&self, email: &Email, key: &str) -> Result<(), MailError> {
        self.send_message(self.build(email, None)?, key).await
    }

    /// Like [`Mailer::send`], with a `Message-ID` derived from `key`, so a copy sent again after
    /// a crash mid-delivery carries the same id and receiving systems can discard it.
    pub async fn send_keyed(&self, email: &Email, key: &str) -> Result<(), MailError> {
        let digest = hex::encode(&sha2::Sha256::digest(key.as_bytes())[..16]);
        let domain = self.from.email.domain().to_string();
        self.send_message(
            self.build(email, Some(format!("<{digest}@{domain}>")))?,
            key,
        )
        .await
    }

    async fn send_message(&self, msg: Message, key: &str) -> Result<(), MailError> {
        match &self.transport {
            Transport::Smtp(t) => t
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let safe: String = key
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                tokio::fs::write(dir.join(format!("{safe}.eml")), msg.formatted()).await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_parsed_with_their_security() {
        let e = SmtpEndpoint::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((e.port, e.security), (2525, SmtpSecurity::Plain));
        let e = SmtpEndpoint::parse("smtps://u%40x:p%2Fw@mail.example.gov.cn").unwrap();
        assert_eq!((e.port, e.security), (465, SmtpSecurity::Tls));
        assert_eq!(e.credentials, Some(("u@x".into(), "p/w".into())));
        assert!(!format!("{e:?}").contains("p/w"));
        assert!(SmtpEndpoint::parse("http://x").is_err());
    }
}
