//! Bounds on what untrusted input may make the reader allocate.

/// Allocation limits. A length field larger than a limit is an error, never an allocation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest single string (key, value, element, compressed blob) the reader will hold.
    pub max_string: u64,
    /// Largest element count the reader believes before seeing the elements; counts
    /// are only used for loops, never to preallocate beyond `max_prealloc`.
    pub max_prealloc: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Redis's proto-max-bulk-len default is 512 MiB; strings up to 4 GiB exist in files
        // written with a raised limit. Listpacks never exceed 1 GiB.
        Limits {
            max_string: 4 << 30,
            max_prealloc: 1 << 16,
        }
    }
}
