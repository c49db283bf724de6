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
diesel::joinable!(staff -> departments (department_code));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    staff,
    api_tokens,
    messages,
    message_events,
    reports
);
