//! Table definitions shared by both backends, in portable column types (times are UTC Unix seconds).

diesel::table! {
    departments (code) {
        code -> Text,
        name -> Text,
        parent_code -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        role -> Text,
        department_code -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> BigInt,
        session_epoch -> Integer,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_hash -> Text,
        role -> Text,
        department_code -> Nullable<Text>,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    calendar_coverage (id) {
        id -> Integer,
        official_through -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        channel -> Text,
        external_id -> Nullable<Text>,
        category -> Text,
        subject -> Text,
        body -> Text,
        citizen_name -> Nullable<Text>,
        citizen_phone -> Nullable<Text>,
        citizen_email -> Nullable<Text>,
        site_name -> Nullable<Text>,
        site_url -> Nullable<Text>,
        department_code -> Text,
        status -> Text,
        received_at -> BigInt,
        due_at -> BigInt,
        original_due_at -> BigInt,
        paused_at -> Nullable<BigInt>,
        extended_days -> Integer,
        replied_at -> Nullable<BigInt>,
        reply_body -> Nullable<Text>,
        replied_by -> Nullable<Text>,
        working_days_taken -> Nullable<Integer>,
        on_time -> Nullable<Bool>,
        updated_at -> BigInt,
        assigned_at -> BigInt,
        returned_count -> Integer,
        verdict -> Nullable<Text>,
        review_pending -> Bool,
        next_escalation_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    reply_submissions (id) {
        id -> BigInt,
        message_id -> BigInt,
        body -> Text,
        submitted_by -> Text,
        submitted_at -> BigInt,
        status -> Text,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<BigInt>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    extension_requests (id) {
        id -> BigInt,
        message_id -> BigInt,
        working_days -> Integer,
        reason -> Text,
        requested_by -> Text,
        requested_at -> BigInt,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
    }
}

diesel::table! {
    pause_requests (id) {
        id -> BigInt,
        message_id -> BigInt,
        reason -> Text,
        requested_by -> Text,
        requested_at -> BigInt,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
    }
}

diesel::table! {
    message_events (id) {
        id -> BigInt,
        message_id -> BigInt,
        kind -> Text,
        actor -> Text,
        at -> BigInt,
        detail -> Text,
    }
}

diesel::table! {
    alert_outbox (id) {
        id -> BigInt,
        dedup_key -> Text,
        kind -> Text,
        message_id -> Nullable<BigInt>,
        department_code -> Nullable<Text>,
        level -> Nullable<Text>,
        recipient_email -> Text,
        cc_emails -> Text,
        subject -> Text,
        body -> Text,
        attachment_name -> Nullable<Text>,
        attachment_mime -> Nullable<Text>,
        attachment -> Nullable<Binary>,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<BigInt>,
        digest_id -> Nullable<BigInt>,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
        extra_attachments -> Nullable<Text>,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        period -> Text,
        scope -> Text,
        version -> Integer,
        as_of -> BigInt,
        rounding -> Text,
        body -> Text,
        figures -> Text,
        created_by -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(messages -> departments (department_code));
diesel::joinable!(message_events -> messages (message_id));
diesel::joinable!(extension_requests -> messages (message_id));
diesel::joinable!(pause_requests -> messages (message_id));
diesel::joinable!(reply_submissions -> messages (message_id));
diesel::joinable!(staff -> departments (department_code));

diesel::allow_tables_to_appear_in_same_query!(
    calendar_coverage,
    departments,
    staff,
    api_tokens,
    messages,
    message_events,
    alert_outbox,
    extension_requests,
    pause_requests,
    reply_submissions,
    reports,
);
