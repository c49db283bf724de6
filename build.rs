//! Rebuilds when a migration is added: the migrations are embedded in the binary
//! (`embed_migrations!`), and cargo does not otherwise watch those folders.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
