//! Handling rules from the regulations, one file per rule with its own rows: extension requests
//! decided by a supervisor ([`extension`]), pause requests decided the same way ([`pause`]), returns of misrouted messages to the office and their
//! reassignment ([`returns`]), telling the citizen of them ([`notice`]), 属实/不属实 verdicts on website error reports ([`verdict`]), and
//! review of replies before they count ([`review`]).

pub mod extension;
pub mod notice;
pub mod pause;
pub mod returns;
pub mod review;
pub mod verdict;

pub use extension::{extension_requests_of, ExtensionRequest};
pub use pause::{pause_requests_of, PauseRequest};
pub use review::{submissions_of, Submission};
pub use verdict::{Finding, Verdict};
