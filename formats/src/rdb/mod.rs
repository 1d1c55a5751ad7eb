//! RDB: the snapshot format. `read` streams it; `encodings` holds the compact blob
//! formats shared by readers and writers.

pub mod commands;
pub mod encodings;
pub mod read;
pub mod testing;
pub mod value;
pub mod write;

pub use read::{Reader, ReaderBuilder, Visitor};

/// Newest Redis RDB version this crate knows (Redis 8.6).
pub const NEWEST_REDIS_VERSION: u32 = 13;
/// Newest Valkey RDB version this crate knows (Valkey 9.0).
pub const NEWEST_VALKEY_VERSION: u32 = 80;

/// Which server family wrote the file, from the magic (`REDIS` or `VALKEY`). Type 22/23
/// and opcode 243 mean different things in the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Redis,
    Valkey,
}

/// Magic and version of an RDB file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub flavor: Flavor,
    pub number: u32,
}

impl Version {
    /// The 9-byte magic for this version.
    pub fn magic(&self) -> String {
        match self.flavor {
            Flavor::Redis => format!("REDIS{:04}", self.number),
            Flavor::Valkey => format!("VALKEY{:03}", self.number),
        }
    }

    /// Whether this version is one some released server wrote.
    pub fn is_known(&self) -> bool {
        match self.flavor {
            Flavor::Redis => (1..=NEWEST_REDIS_VERSION).contains(&self.number),
            Flavor::Valkey => self.number == NEWEST_VALKEY_VERSION,
        }
    }

    /// Whether files of this version end with a CRC-64 trailer (RDB 5+).
    pub fn has_checksum(&self) -> bool {
        self.number >= 5
    }
}

macro_rules! byte_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident = $n:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name { $($(#[$vm])* $v = $n),* }
        impl TryFrom<u8> for $name {
            type Error = u8;
            fn try_from(b: u8) -> std::result::Result<Self, u8> {
                match b { $($n => Ok($name::$v),)* other => Err(other) }
            }
        }
    };
}

byte_enum! {
    /// Record opcodes (bytes 242-255; Redis's `RDB_OPCODE_*`).
    pub enum Opcode {
        /// RDB_OPCODE_KEY_META (Redis 8.6) / Valkey SLOT_IMPORT, by magic.
        KeyMetaOrSlotImport = 243,
        /// RDB_OPCODE_SLOT_INFO (Redis 7.4).
        SlotInfo = 244,
        /// RDB_OPCODE_FUNCTION2 (Redis 7.0).
        Function2 = 245,
        /// RDB_OPCODE_FUNCTION_PRE_GA (Redis 7.0 release candidates).
        FunctionPreGa = 246,
        /// RDB_OPCODE_MODULE_AUX.
        ModuleAux = 247,
        /// RDB_OPCODE_IDLE (LRU idle seconds).
        Idle = 248,
        /// RDB_OPCODE_FREQ (LFU counter).
        Freq = 249,
        /// RDB_OPCODE_AUX.
        Aux = 250,
        /// RDB_OPCODE_RESIZEDB.
        ResizeDb = 251,
        /// RDB_OPCODE_EXPIRETIME_MS.
        ExpireTimeMs = 252,
        /// RDB_OPCODE_EXPIRETIME (seconds).
        ExpireTime = 253,
        /// RDB_OPCODE_SELECTDB.
        SelectDb = 254,
        /// RDB_OPCODE_EOF.
        Eof = 255,
    }
}

byte_enum! {
    /// Object type bytes (Redis's `RDB_TYPE_*`). 22 and 23 are read by magic: Redis
    /// 7.4 pre-GA hash field expiration, or Valkey's HASH_2.
    pub enum TypeId {
        /// RDB_TYPE_STRING
        String = 0,
        /// RDB_TYPE_LIST (linked list)
        List = 1,
        /// RDB_TYPE_SET
        Set = 2,
        /// RDB_TYPE_ZSET (text doubles)
        Zset = 3,
        /// RDB_TYPE_HASH
        Hash = 4,
        /// RDB_TYPE_ZSET_2 (binary doubles)
        Zset2 = 5,
        /// RDB_TYPE_MODULE_PRE_GA
        ModulePreGa = 6,
        /// RDB_TYPE_MODULE_2
        Module2 = 7,
        /// RDB_TYPE_HASH_ZIPMAP
        HashZipmap = 9,
        /// RDB_TYPE_LIST_ZIPLIST
        ListZiplist = 10,
        /// RDB_TYPE_SET_INTSET
        SetIntset = 11,
        /// RDB_TYPE_ZSET_ZIPLIST
        ZsetZiplist = 12,
        /// RDB_TYPE_HASH_ZIPLIST
        HashZiplist = 13,
        /// RDB_TYPE_LIST_QUICKLIST
        ListQuicklist = 14,
        /// RDB_TYPE_STREAM_LISTPACKS
        StreamListpacks = 15,
        /// RDB_TYPE_HASH_LISTPACK
        HashListpack = 16,
        /// RDB_TYPE_ZSET_LISTPACK
        ZsetListpack = 17,
        /// RDB_TYPE_LIST_QUICKLIST_2
        ListQuicklist2 = 18,
        /// RDB_TYPE_STREAM_LISTPACKS_2
        StreamListpacks2 = 19,
        /// RDB_TYPE_SET_LISTPACK
        SetListpack = 20,
        /// RDB_TYPE_STREAM_LISTPACKS_3
        StreamListpacks3 = 21,
        /// RDB_TYPE_HASH_METADATA_PRE_GA (Redis) / RDB_TYPE_HASH_2 (Valkey)
        HashMetadataPreGaOrHash2 = 22,
        /// RDB_TYPE_HASH_LISTPACK_EX_PRE_GA (Redis)
        HashListpackExPreGa = 23,
        /// RDB_TYPE_HASH_METADATA
        HashMetadata = 24,
        /// RDB_TYPE_HASH_LISTPACK_EX
        HashListpackEx = 25,
        /// RDB_TYPE_STREAM_LISTPACKS_4 (IDMP)
        StreamListpacks4 = 26,
        /// RDB_TYPE_STREAM_LISTPACKS_5 (NACK zone)
        StreamListpacks5 = 27,
    }
}

/// The logical data type of a key (what `TYPE` answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    String,
    List,
    Set,
    Zset,
    Hash,
    Stream,
    Module,
}

impl DataType {
    pub fn name(&self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::List => "list",
            DataType::Set => "set",
            DataType::Zset => "zset",
            DataType::Hash => "hash",
            DataType::Stream => "stream",
            DataType::Module => "module",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "string" => DataType::String,
            "list" => DataType::List,
            "set" => DataType::Set,
            "zset" => DataType::Zset,
            "hash" => DataType::Hash,
            "stream" => DataType::Stream,
            "module" => DataType::Module,
            _ => return None,
        })
    }

    pub const ALL: [DataType; 7] = [
        DataType::String,
        DataType::List,
        DataType::Set,
        DataType::Zset,
        DataType::Hash,
        DataType::Stream,
        DataType::Module,
    ];
}

impl TypeId {
    pub fn data_type(&self) -> DataType {
        use TypeId::*;
        match self {
            String => DataType::String,
            List | ListZiplist | ListQuicklist | ListQuicklist2 => DataType::List,
            Set | SetIntset | SetListpack => DataType::Set,
            Zset | Zset2 | ZsetZiplist | ZsetListpack => DataType::Zset,
            Hash
            | HashZipmap
            | HashZiplist
            | HashListpack
            | HashMetadataPreGaOrHash2
            | HashListpackExPreGa
            | HashMetadata
            | HashListpackEx => DataType::Hash,
            StreamListpacks | StreamListpacks2 | StreamListpacks3 | StreamListpacks4
            | StreamListpacks5 => DataType::Stream,
            ModulePreGa | Module2 => DataType::Module,
        }
    }

    /// The encoding name used in `dump` output (contract.md `encoding`).
    pub fn encoding_name(&self) -> &'static str {
        use TypeId::*;
        match self {
            String => "string",
            List => "linkedlist",
            Set | Hash | HashMetadata | HashMetadataPreGaOrHash2 => "hashtable",
            Zset | Zset2 => "skiplist",
            ModulePreGa | Module2 => "module",
            HashZipmap => "zipmap",
            ListZiplist | ZsetZiplist | HashZiplist => "ziplist",
            SetIntset => "intset",
            ListQuicklist => "quicklist",
            ListQuicklist2 => "quicklist2",
            HashListpack | ZsetListpack | SetListpack => "listpack",
            HashListpackExPreGa | HashListpackEx => "listpack_ex",
            StreamListpacks | StreamListpacks2 | StreamListpacks3 | StreamListpacks4
            | StreamListpacks5 => "stream",
        }
    }

    /// Redis's `RDB_TYPE_*` name, for messages and `info`.
    pub fn redis_name(&self, flavor: Flavor) -> &'static str {
        use TypeId::*;
        match self {
            String => "STRING",
            List => "LIST",
            Set => "SET",
            Zset => "ZSET",
            Hash => "HASH",
            Zset2 => "ZSET_2",
            ModulePreGa => "MODULE_PRE_GA",
            Module2 => "MODULE_2",
            HashZipmap => "HASH_ZIPMAP",
            ListZiplist => "LIST_ZIPLIST",
            SetIntset => "SET_INTSET",
            ZsetZiplist => "ZSET_ZIPLIST",
            HashZiplist => "HASH_ZIPLIST",
            ListQuicklist => "LIST_QUICKLIST",
            StreamListpacks => "STREAM_LISTPACKS",
            HashListpack => "HASH_LISTPACK",
            ZsetListpack => "ZSET_LISTPACK",
            ListQuicklist2 => "LIST_QUICKLIST_2",
            StreamListpacks2 => "STREAM_LISTPACKS_2",
            SetListpack => "SET_LISTPACK",
            StreamListpacks3 => "STREAM_LISTPACKS_3",
            HashMetadataPreGaOrHash2 => match flavor {
                Flavor::Redis => "HASH_METADATA_PRE_GA",
                Flavor::Valkey => "HASH_2",
            },
            HashListpackExPreGa => "HASH_LISTPACK_EX_PRE_GA",
            HashMetadata => "HASH_METADATA",
            HashListpackEx => "HASH_LISTPACK_EX",
            StreamListpacks4 => "STREAM_LISTPACKS_4",
            StreamListpacks5 => "STREAM_LISTPACKS_5",
        }
    }
}
