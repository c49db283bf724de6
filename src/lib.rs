//! huiyin (回音): every citizen message gets an answer on time.
