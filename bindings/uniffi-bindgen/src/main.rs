//! `uniffi-bindgen`: generates foreign-language sources from a built library, e.g.
//! `cargo run -p iamkit-uniffi-bindgen -- generate --library target/debug/libiamkit_uniffi.so --language kotlin --out-dir out`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
