// The scenarios in scenarios/ are embedded in the binary (src/builtin.rs); rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=scenarios");
}
