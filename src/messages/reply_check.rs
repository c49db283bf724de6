//! Checks of a reply before it is saved: the faults the inspection bulletins name departments for (very short answers, missing final punctuation, leaked ID-card or mobile numbers). They warn, never block.

use crate::privacy::{find_personal_numbers, PersonalNumber};

/// A reply shorter than this many characters is flagged as very short.
pub const MIN_REPLY_CHARS: usize = 15;

/// Characters that may end a properly punctuated reply.
const FINAL_PUNCTUATION: &[char] = &[
    '。', '！', '？', '…', '”', '’', '」', '』', '）', '.', '!', '?', ')', '"',
];

/// Something in a reply a clerk should look at again before saving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyWarning {
    /// Fewer than [`MIN_REPLY_CHARS`] characters.
    TooShort { chars: usize },
    /// The last character is not a sentence-ending punctuation mark.
    NoFinalPunctuation,
    /// Contains what looks like a resident ID-card number.
    IdCardNumber,
    /// Contains what looks like a mobile number.
    MobileNumber,
}

impl ReplyWarning {
    /// Machine name, e.g. for tests and an API field.
    pub fn code(&self) -> &'static str {
        match self {
            ReplyWarning::TooShort { .. } => "too_short",
            ReplyWarning::NoFinalPunctuation => "no_final_punctuation",
            ReplyWarning::IdCardNumber => "id_card_number",
            ReplyWarning::MobileNumber => "mobile_number",
        }
    }

    /// What the clerk reads.
    pub fn message_zh(&self) -> String {
        match self {
            ReplyWarning::TooShort { chars } => format!(
                "答复内容只有{chars}个字，过于简短，请确认已回应群众所问（答非所问、敷衍答复会被通报）。"
            ),
            ReplyWarning::NoFinalPunctuation => {
                "答复末尾缺少标点符号（检查通报会点名标点缺失的答复）。".to_string()
            }
            ReplyWarning::IdCardNumber => {
                "答复中似乎含有居民身份证号码，公开答复不得泄露群众身份证号。".to_string()
            }
            ReplyWarning::MobileNumber => {
                "答复中似乎含有手机号码，请确认不会泄露群众个人信息。".to_string()
            }
        }
    }
}

/// The warnings for a reply body, in a fixed order (length, punctuation, ID number, mobile number).
pub fn reply_warnings(body: &str) -> Vec<ReplyWarning> {
    let body = body.trim();
    let mut out = Vec::new();
    let chars = body.chars().count();
    if chars < MIN_REPLY_CHARS {
        out.push(ReplyWarning::TooShort { chars });
    }
    if body
        .chars()
        .last()
        .is_none_or(|c| !FINAL_PUNCTUATION.contains(&c))
    {
        out.push(ReplyWarning::NoFinalPunctuation);
    }
    let found = find_personal_numbers(body);
    if found.iter().any(|(k, _)| *k == PersonalNumber::IdCard) {
        out.push(ReplyWarning::IdCardNumber);
    }
    if found.iter().any(|(k, _)| *k == PersonalNumber::Mobile) {
        out.push(ReplyWarning::MobileNumber);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(body: &str) -> Vec<&'static str> {
        reply_warnings(body)
            .iter()
            .map(ReplyWarning::code)
            .collect()
    }

    #[test]
    fn a_complete_reply_has_no_warnings() {
        assert!(
            codes("您好！您反映的加装电梯审批事项已受理，预计下周完成审核，请留意短信通知。")
                .is_empty()
        );
    }

    #[test]
    fn short_replies_and_missing_punctuation_are_flagged() {
        assert_eq!(codes("已处理"), vec!["too_short", "no_final_punctuation"]);
        assert_eq!(codes("已处理。"), vec!["too_short"]);
        assert_eq!(
            codes("您好，您反映的问题我局已安排专人核实处理，感谢您的监督"),
            vec!["no_final_punctuation"]
        );
        assert_eq!(codes("   "), vec!["too_short", "no_final_punctuation"]);
    }

    #[test]
    fn id_card_and_mobile_numbers_are_flagged() {
        // A syntactically valid test number (check digit computed), not a real person's.
        let body =
            "您好，经核实，身份证号11010519491231002X的申请人材料齐全，请致电13812345678联系。";
        assert_eq!(codes(body), vec!["id_card_number", "mobile_number"]);
    }
}
