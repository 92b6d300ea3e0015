fn main() {
    println!("folio: work in progress");
}
