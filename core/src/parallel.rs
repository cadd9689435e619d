//! The only file that names rayon. Without the `parallel` feature (wasm32) everything runs in
//! order on the calling thread. Results never depend on scheduling: `map` returns them in input
//! order.

/// Apply `f` to every item, largest `weight` first so one big layer does not start last; the
/// results come back in input order.
pub(crate) fn map_weighted<T, R, F>(items: &[T], weight: impl Fn(&T) -> u64, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weight(&items[i])));
    let mut results: Vec<(usize, R)> = run(&order, |&i| (i, f(&items[i])));
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(feature = "parallel")]
fn run<R: Send>(order: &[usize], f: impl Fn(&usize) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    // One item per task: layers are few and uneven, so fine-grained stealing balances them.
    order.par_iter().with_max_len(1).map(f).collect()
}

#[cfg(not(feature = "parallel"))]
fn run<R: Send>(order: &[usize], f: impl Fn(&usize) -> R + Sync + Send) -> Vec<R> {
    order.iter().map(f).collect()
}

/// Run two closures, in parallel where possible.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}
