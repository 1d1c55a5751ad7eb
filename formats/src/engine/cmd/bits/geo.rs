//! Geo commands (Redis 7.0 `geo.c`, `geohash.c`, `geohash_helper.c`): GEOADD (a ZADD
//! of 52-bit interleaved geohash scores, which is what Redis propagates for it), the
//! radius searches (GEORADIUS / GEORADIUSBYMEMBER, their `_RO` forms, GEOSEARCH, and
//! the STORE|STOREDIST forms and GEOSEARCHSTORE, which Redis propagates as they are),
//! and the reads GEOPOS, GEODIST, GEOHASH. The engine runs each search as Redis does:
//! the same 9-box geohash cover, the same zset ranges scanned in the same order, the
//! same haversine with the same libm calls, a stable sort (glibc's `qsort`) and for
//! COUNT without ANY the same `pqsort`; replies print distances with 4 decimals and
//! coordinates as `%.17Lf` without trailing zeros, as Redis does.

use super::super::{Ctx, ExecError, WRONGTYPE, invalid, is, parse_f64, parse_i64};
use super::pqsort::pqsort;
use crate::engine::{Db, Obj, Zset};

const LAT_MIN: f64 = -85.051_128_78;
const LAT_MAX: f64 = 85.051_128_78;
const LONG_MIN: f64 = -180.0;
const LONG_MAX: f64 = 180.0;
const STEP_MAX: u8 = 26;
const D_R: f64 = std::f64::consts::PI / 180.0;
const EARTH_RADIUS_IN_METERS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Bits {
    bits: u64,
    step: u8,
}

impl Bits {
    fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Range {
    min: f64,
    max: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Area {
    longitude: Range,
    latitude: Range,
}

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [
        0x5555_5555_5555_5555,
        0x3333_3333_3333_3333,
        0x0F0F_0F0F_0F0F_0F0F,
        0x00FF_00FF_00FF_00FF,
        0x0000_FFFF_0000_FFFF,
    ];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let mut x = u64::from(xlo);
    let mut y = u64::from(ylo);
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] = [
        0x5555_5555_5555_5555,
        0x3333_3333_3333_3333,
        0x0F0F_0F0F_0F0F_0F0F,
        0x00FF_00FF_00FF_00FF,
        0x0000_FFFF_0000_FFFF,
        0x0000_0000_FFFF_FFFF,
    ];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let mut x = interleaved;
    let mut y = interleaved >> 1;
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// `geohashEncode` over the WGS84 ranges Redis uses.
fn encode(longitude: f64, latitude: f64, step: u8) -> Option<Bits> {
    if step > 32 || step == 0 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    let mut lat_offset = (latitude - LAT_MIN) / (LAT_MAX - LAT_MIN);
    let mut long_offset = (longitude - LONG_MIN) / (LONG_MAX - LONG_MIN);
    lat_offset *= (1u64 << step) as f64;
    long_offset *= (1u64 << step) as f64;
    Some(Bits {
        bits: interleave64(lat_offset as u32, long_offset as u32),
        step,
    })
}

/// `geohashDecode`.
fn decode(hash: Bits) -> Option<Area> {
    if hash.is_zero() {
        return None;
    }
    let step = hash.step;
    let sep = deinterleave64(hash.bits);
    let lat_scale = LAT_MAX - LAT_MIN;
    let long_scale = LONG_MAX - LONG_MIN;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << step) as f64;
    Some(Area {
        latitude: Range {
            min: LAT_MIN + (f64::from(ilato) / div) * lat_scale,
            max: LAT_MIN + (f64::from(ilato.wrapping_add(1)) / div) * lat_scale,
        },
        longitude: Range {
            min: LONG_MIN + (f64::from(ilono) / div) * long_scale,
            max: LONG_MIN + (f64::from(ilono.wrapping_add(1)) / div) * long_scale,
        },
    })
}

/// `geohashDecodeAreaToLongLat`: the cell's center, clamped.
fn area_center(area: &Area) -> [f64; 2] {
    let x = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [x, y]
}

/// x86-64 gcc's `(uint64_t)double` (only well defined below 2^64; the rest mirrors the
/// instructions gcc emits).
fn to_u64_like_c(d: f64) -> u64 {
    fn cvtt(d: f64) -> i64 {
        if d.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
            i64::MIN
        } else {
            d as i64
        }
    }
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if d >= TWO63 {
        (cvtt(d - TWO63) as u64) ^ (1 << 63)
    } else {
        cvtt(d) as u64
    }
}

/// `decodeGeohash`: the position a score stands for.
fn decode_score(score: f64) -> Option<[f64; 2]> {
    let area = decode(Bits {
        bits: to_u64_like_c(score),
        step: STEP_MAX,
    })?;
    Some(area_center(&area))
}

fn move_x(hash: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> (64 - u32::from(hash.step) * 2);
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaa >> (64 - u32::from(hash.step) * 2);
    hash.bits = x | y;
}

fn move_y(hash: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - u32::from(hash.step) * 2);
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555 >> (64 - u32::from(hash.step) * 2);
    hash.bits = x | y;
}

fn moved(hash: Bits, dx: i8, dy: i8) -> Bits {
    let mut h = hash;
    move_x(&mut h, dx);
    move_y(&mut h, dy);
    h
}

/// The boxes searched, in Redis's order: self, N, S, E, W, NE, NW, SE, SW.
struct Radius {
    boxes: [Bits; 9],
}

/// The search shape (`GeoShape`), all lengths in the unit; `conversion` is meters per
/// unit.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    rect: bool,
    xy: [f64; 2],
    conversion: f64,
    radius: f64,
    width: f64,
    height: f64,
}

fn deg_rad(ang: f64) -> f64 {
    ang * D_R
}

fn rad_deg(ang: f64) -> f64 {
    ang / D_R
}

/// `geohashEstimateStepsByRadius`.
fn estimate_steps(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// `geohashBoundingBox`: [min_lon, min_lat, max_lon, max_lat].
fn bounding_box(s: &Shape) -> [f64; 4] {
    let (longitude, latitude) = (s.xy[0], s.xy[1]);
    let height = s.conversion * if s.rect { s.height / 2.0 } else { s.radius };
    let width = s.conversion * if s.rect { s.width / 2.0 } else { s.radius };
    let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
    let long_delta_top =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
    let long_delta_bottom =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
    let south = latitude < 0.0;
    let delta = if south {
        long_delta_bottom
    } else {
        long_delta_top
    };
    [
        longitude - delta,
        latitude - lat_delta,
        longitude + delta,
        latitude + lat_delta,
    ]
}

/// `geohashCalculateAreasByShapeWGS84`.
fn areas_by_shape(s: &Shape) -> Radius {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(s);
    let (longitude, latitude) = (s.xy[0], s.xy[1]);
    let mut radius_meters = if s.rect {
        ((s.width / 2.0) * (s.width / 2.0) + (s.height / 2.0) * (s.height / 2.0)).sqrt()
    } else {
        s.radius
    };
    radius_meters *= s.conversion;
    let mut steps = estimate_steps(radius_meters, latitude);
    let cover = |steps: u8| {
        let hash = encode(longitude, latitude, steps).unwrap_or_default();
        let n = [
            moved(hash, 0, 1),   // north
            moved(hash, 0, -1),  // south
            moved(hash, 1, 0),   // east
            moved(hash, -1, 0),  // west
            moved(hash, 1, 1),   // north east
            moved(hash, -1, 1),  // north west
            moved(hash, 1, -1),  // south east
            moved(hash, -1, -1), // south west
        ];
        let area = decode(hash).unwrap_or_default();
        (hash, n, area)
    };
    let (mut hash, mut n, mut area) = cover(steps);
    let dec = |h: Bits| decode(h).unwrap_or_default();
    let decrease = dec(n[0]).latitude.max < max_lat
        || dec(n[1]).latitude.min > min_lat
        || dec(n[2]).longitude.max < max_lon
        || dec(n[3]).longitude.min > min_lon;
    if steps > 1 && decrease {
        steps -= 1;
        (hash, n, area) = cover(steps);
    }
    if steps >= 2 {
        let zero = Bits::default();
        if area.latitude.min < min_lat {
            (n[1], n[7], n[6]) = (zero, zero, zero); // south, south west, south east
        }
        if area.latitude.max > max_lat {
            (n[0], n[4], n[5]) = (zero, zero, zero); // north, north east, north west
        }
        if area.longitude.min < min_lon {
            (n[3], n[7], n[5]) = (zero, zero, zero); // west, south west, north west
        }
        if area.longitude.max > max_lon {
            (n[2], n[6], n[4]) = (zero, zero, zero); // east, south east, north east
        }
    }
    Radius {
        boxes: [hash, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]],
    }
}

fn align52(hash: Bits) -> u64 {
    hash.bits << (52 - u32::from(hash.step) * 2)
}

fn lat_distance(lat1d: f64, lat2d: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2d) - deg_rad(lat1d)).abs()
}

/// `geohashGetDistance`: haversine on the sphere Redis uses.
fn distance(lon1d: f64, lat1d: f64, lon2d: f64, lat2d: f64) -> f64 {
    let lon1r = deg_rad(lon1d);
    let lon2r = deg_rad(lon2d);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1d, lat2d);
    }
    let lat1r = deg_rad(lat1d);
    let lat2r = deg_rad(lat2d);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// `geoWithinShape`: the decoded position and the distance to the center when inside.
fn within(s: &Shape, score: f64) -> Option<([f64; 2], f64)> {
    let xy = decode_score(score)?;
    if s.rect {
        let (w, h) = (s.width * s.conversion, s.height * s.conversion);
        if lat_distance(s.xy[1], xy[1]) > h / 2.0 {
            return None;
        }
        if distance(xy[0], xy[1], s.xy[0], xy[1]) > w / 2.0 {
            return None;
        }
        Some((xy, distance(s.xy[0], s.xy[1], xy[0], xy[1])))
    } else {
        let d = distance(s.xy[0], s.xy[1], xy[0], xy[1]);
        (d <= s.radius * s.conversion).then_some((xy, d))
    }
}

struct Point {
    dist: f64,
    score: f64,
    xy: [f64; 2],
    member: Vec<u8>,
}

/// `membersOfAllNeighbors`: the zset members inside the shape, box by box in score
/// order, stopping at `limit` (ANY) when it is not 0.
fn search_points(z: &Zset, r: &Radius, s: &Shape, limit: usize) -> Vec<Point> {
    let mut ga: Vec<Point> = Vec::new();
    let mut last: Option<usize> = None;
    for (i, b) in r.boxes.iter().enumerate() {
        if b.is_zero() {
            continue;
        }
        if last.is_some_and(|l| r.boxes[l] == *b) {
            continue;
        }
        if !ga.is_empty() && limit > 0 && ga.len() >= limit {
            break;
        }
        let min = align52(*b) as f64;
        let max = align52(Bits {
            bits: b.bits.wrapping_add(1),
            step: b.step,
        }) as f64;
        for (member, score) in z.iter_from(min) {
            if score >= max {
                break;
            }
            if let Some((xy, d)) = within(s, score) {
                ga.push(Point {
                    dist: d,
                    score,
                    xy,
                    member: member.to_vec(),
                });
            }
            if !ga.is_empty() && limit > 0 && ga.len() >= limit {
                break;
            }
        }
        last = Some(i);
    }
    ga
}

/// `extractLongLatOrReply`.
fn lon_lat(c: &Ctx<'_>, lon: &[u8], lat: &[u8]) -> Result<[f64; 2], ExecError> {
    let not_float = || c.err("value is not a valid float");
    let x = parse_f64(lon).ok_or_else(not_float)?;
    let y = parse_f64(lat).ok_or_else(not_float)?;
    if !(LONG_MIN..=LONG_MAX).contains(&x) || !(LAT_MIN..=LAT_MAX).contains(&y) {
        return Err(c.err(format!("invalid longitude,latitude pair {x:.6},{y:.6}")));
    }
    Ok([x, y])
}

/// `extractUnitOrReply`: meters per unit.
fn unit(c: &Ctx<'_>, u: &[u8]) -> Result<f64, ExecError> {
    match () {
        _ if is(u, "m") => Ok(1.0),
        _ if is(u, "km") => Ok(1000.0),
        _ if is(u, "ft") => Ok(0.3048),
        _ if is(u, "mi") => Ok(1609.34),
        _ => Err(c.err("unsupported unit provided. please use M, KM, FT, MI")),
    }
}

/// A radius (`extractDistanceOrReply`'s number).
fn radius(c: &Ctx<'_>, v: &[u8]) -> Result<f64, ExecError> {
    let d = parse_f64(v).ok_or_else(|| c.err("need numeric radius"))?;
    if d < 0.0 {
        return Err(c.err("radius cannot be negative"));
    }
    Ok(d)
}

/// GEOADD: Redis turns it into the ZADD of the geohash scores (with the same options)
/// and runs that, so it replies, counts and propagates as that ZADD.
pub(super) fn geoadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (mut nx, mut xx, mut ch) = (false, false, false);
    let mut i = 2;
    while i < a.len() {
        if is(a[i], "NX") {
            nx = true;
        } else if is(a[i], "XX") {
            xx = true;
        } else if is(a[i], "CH") {
            ch = true;
        } else {
            break;
        }
        i += 1;
    }
    if !(a.len() - i).is_multiple_of(3) || (xx && nx) {
        return Err(c.err("syntax error"));
    }
    let mut adds = Vec::new();
    for t in a[i..].chunks(3) {
        let xy = lon_lat(c, t[0], t[1])?;
        let hash = encode(xy[0], xy[1], STEP_MAX).unwrap_or_default();
        adds.push((align52(hash), t[2]));
    }
    if adds.is_empty() {
        // ZADD with no score-member pair.
        return Err(c.err("syntax error"));
    }
    // ZADD [NX|XX]: a missing key with XX stays missing.
    if xx && c.zset(a[1], false)?.is_none() {
        c.out.int(0);
        return Ok(());
    }
    let (mut added, mut updated) = (0u64, 0u64);
    if let Some(z) = c.zset(a[1], true)? {
        for &(score, member) in &adds {
            let score = score as f64;
            let old = z.score(member);
            if (nx && old.is_some()) || (xx && old.is_none()) {
                continue;
            }
            match old {
                None => added += 1,
                Some(o) if o != score => updated += 1,
                Some(_) => continue,
            }
            z.insert(member, score);
        }
    }
    c.drop_if_empty(a[1]);
    c.changed(added + updated);
    c.out.int((if ch { added + updated } else { added }) as i64);
    if added + updated > 0 && c.out.is_on() {
        let scores: Vec<String> = adds.iter().map(|(s, _)| s.to_string()).collect();
        let mut zadd: Vec<&[u8]> = vec![b"zadd"];
        zadd.extend_from_slice(&a[1..i]);
        for ((_, member), score) in adds.iter().zip(&scores) {
            zadd.push(score.as_bytes());
            zadd.push(member);
        }
        c.propagate(&zadd);
    }
    Ok(())
}

/// `fixedpoint_d2string(.., 4)`: a distance with 4 decimals, rounded as `llrint`.
fn fixed4(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let v = (d * 10000.0).round_ties_even() as i64;
    let sign = if v < 0 { "-" } else { "" };
    let u = v.unsigned_abs();
    format!("{sign}{}.{:04}", u / 10000, u % 10000)
}

/// `addReplyHumanLongDouble` of a double: `%.17Lf` without trailing zeros.
fn human(x: f64) -> String {
    let mut s = format!("{x:.17}");
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(t);
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// GEORADIUS, GEORADIUSBYMEMBER (with STORE/STOREDIST, or replying the points), their
/// `_RO` forms, GEOSEARCH and GEOSEARCHSTORE (`georadiusGeneric`). A search that
/// stores replies the number of points stored and counts that many changes (or one
/// for deleting the destination when nothing is found); the others only read.
pub(super) fn georadius(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (by_coords, by_member, search, nostore) = match c.name {
        "GEORADIUS" => (true, false, false, false),
        "GEORADIUS_RO" => (true, false, false, true),
        "GEORADIUSBYMEMBER" => (false, true, false, false),
        "GEORADIUSBYMEMBER_RO" => (false, true, false, true),
        _ => (false, false, true, false),
    };
    let search_store = c.name == "GEOSEARCHSTORE";
    let src = if search_store { a[2] } else { a[1] };
    let wrong = c.wrong_type();
    let zobj: Option<Zset> = match c.db().get(src).map(|e| &e.obj) {
        None => None,
        Some(Obj::Zset(z)) => Some((**z).clone()),
        Some(_) => return Err(wrong),
    };
    let no_member = || c.err("could not decode requested zset member");
    let member_xy = |z: &Zset, m: &[u8]| z.score(m).and_then(decode_score);
    let mut shape = Shape::default();
    let base: usize;
    let mut storekey: Option<&[u8]> = None;
    let mut storedist = false;
    if by_coords {
        base = 6;
        shape.xy = lon_lat(c, a[2], a[3])?;
        shape.radius = radius(c, a[4])?;
        shape.conversion = unit(c, a[5])?;
    } else if by_member {
        base = 5;
        if let Some(z) = &zobj {
            shape.xy = member_xy(z, a[2]).ok_or_else(no_member)?;
            shape.radius = radius(c, a[3])?;
            shape.conversion = unit(c, a[4])?;
        }
    } else if search_store {
        base = 3;
        storekey = Some(a[1]);
    } else {
        base = 2;
    }
    let (mut withdist, mut withhash, mut withcoord) = (false, false, false);
    let (mut any, mut count) = (false, 0i64);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort: i8 = 0; // 0 none, 1 asc, -1 desc
    let rem = a.len() - base;
    let mut i = 0;
    while i < rem {
        let arg = a[base + i];
        let next = |k: usize| a[base + i + k];
        if is(arg, "WITHDIST") {
            withdist = true;
        } else if is(arg, "WITHHASH") {
            withhash = true;
        } else if is(arg, "WITHCOORD") {
            withcoord = true;
        } else if is(arg, "ANY") {
            any = true;
        } else if is(arg, "ASC") {
            sort = 1;
        } else if is(arg, "DESC") {
            sort = -1;
        } else if is(arg, "COUNT") && i + 1 < rem {
            count = parse_i64(next(1))
                .ok_or_else(|| c.err("value is not an integer or out of range"))?;
            if count <= 0 {
                return Err(c.err("COUNT must be > 0"));
            }
            i += 1;
        } else if (is(arg, "STORE") || is(arg, "STOREDIST")) && i + 1 < rem && !nostore && !search {
            storekey = Some(next(1));
            storedist = is(arg, "STOREDIST");
            i += 1;
        } else if is(arg, "STOREDIST") && search_store {
            storedist = true;
        } else if is(arg, "FROMMEMBER") && i + 1 < rem && search && !fromloc {
            if let Some(z) = &zobj {
                shape.xy = member_xy(z, next(1)).ok_or_else(no_member)?;
            }
            frommember = true;
            i += 1;
        } else if is(arg, "FROMLONLAT") && i + 2 < rem && search && !frommember {
            shape.xy = lon_lat(c, next(1), next(2))?;
            fromloc = true;
            i += 2;
        } else if is(arg, "BYRADIUS") && i + 2 < rem && search && !bybox {
            shape.radius = radius(c, next(1))?;
            shape.conversion = unit(c, next(2))?;
            shape.rect = false;
            byradius = true;
            i += 2;
        } else if is(arg, "BYBOX") && i + 3 < rem && search && !byradius {
            let w = parse_f64(next(1)).ok_or_else(|| c.err("need numeric width"))?;
            let h = parse_f64(next(2)).ok_or_else(|| c.err("need numeric height"))?;
            if w < 0.0 || h < 0.0 {
                return Err(c.err("height or width cannot be negative"));
            }
            (shape.width, shape.height) = (w, h);
            shape.conversion = unit(c, next(3))?;
            shape.rect = true;
            bybox = true;
            i += 3;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    if storekey.is_some() && (withdist || withhash || withcoord) {
        let what = if search_store {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(c.err(format!(
            "{what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    let sent = String::from_utf8_lossy(a[0]);
    if search && !(frommember || fromloc) {
        return Err(c.err(format!(
            "exactly one of FROMMEMBER or FROMLONLAT can be specified for {sent}"
        )));
    }
    if search && !(byradius || bybox) {
        return Err(c.err(format!(
            "exactly one of BYRADIUS and BYBOX can be specified for {sent}"
        )));
    }
    if any && count == 0 {
        return Err(c.err("the ANY argument requires COUNT argument"));
    }
    let Some(z) = zobj else {
        match storekey {
            Some(store) => store_result(c, store, &[], false, 1.0),
            None => c.out.array(0),
        }
        return Ok(());
    };
    if storekey.is_none() && !c.out.is_on() {
        return Ok(()); // a read, replayed
    }
    if count != 0 && sort == 0 && !any {
        sort = 1;
    }
    let cover = areas_by_shape(&shape);
    let limit = if any { count as usize } else { 0 };
    let mut ga = search_points(&z, &cover, &shape, limit);
    let returned = if count == 0 || (ga.len() as i64) < count {
        ga.len()
    } else {
        count as usize
    };
    if sort != 0 {
        let mut cmp = |x: &Point, y: &Point| {
            let r = if x.dist > y.dist {
                1
            } else if x.dist == y.dist {
                0
            } else {
                -1
            };
            if sort < 0 { -r } else { r }
        };
        if returned < ga.len() {
            // Which points make the cut depends on pqsort when distances tie.
            pqsort(&mut ga, &mut cmp, 0, returned as i64 - 1);
        } else {
            // glibc's qsort: a stable merge sort.
            ga.sort_by(|x, y| cmp(x, y).cmp(&0));
        }
    }
    let ga = &ga[..returned];
    let Some(store) = storekey else {
        let options = usize::from(withdist) + usize::from(withhash) + usize::from(withcoord);
        c.out.array(returned);
        for p in ga {
            if options > 0 {
                c.out.array(options + 1);
            }
            c.out.bulk(&p.member);
            if withdist {
                c.out.bulk(fixed4(p.dist / shape.conversion).as_bytes());
            }
            if withhash {
                c.out.int(p.score as i64);
            }
            if withcoord {
                c.out.array(2);
                c.out.bulk(human(p.xy[0]).as_bytes());
                c.out.bulk(human(p.xy[1]).as_bytes());
            }
        }
        return Ok(());
    };
    store_result(c, store, ga, storedist, shape.conversion);
    Ok(())
}

/// Stores the points found at `store` as a sorted set (their geohash scores, or their
/// distances in the unit with STOREDIST), or deletes `store` when there are none, and
/// replies their number.
fn store_result(c: &mut Ctx<'_>, store: &[u8], ga: &[Point], storedist: bool, conversion: f64) {
    if ga.is_empty() {
        if c.db().remove(store).is_some() {
            c.changed(1);
        }
        c.out.int(0);
        return;
    }
    // Built as a skiplist and converted back when it fits, as 7.0 does.
    let mut out = Zset::skiplist();
    for p in ga {
        let score = if storedist {
            p.dist / conversion
        } else {
            p.score
        };
        out.insert(&p.member, score);
    }
    out.convert_to_listpack_if_needed();
    c.db().set(store, Obj::zset(out), None);
    c.changed(ga.len() as u64);
    c.out.int(ga.len() as i64);
}

/// The sorted set at `key` for a geo read (None when missing), WRONGTYPE otherwise.
fn zset_of<'d>(name: &str, db: &'d Db, key: &[u8]) -> Result<Option<&'d Zset>, ExecError> {
    match db.get(key).map(|e| &e.obj) {
        None => Ok(None),
        Some(Obj::Zset(z)) => Ok(Some(&**z)),
        Some(_) => Err(invalid(name, WRONGTYPE)),
    }
}

/// GEOPOS: each member's position (`%.17Lf`-style), a null array for a missing one.
pub(super) fn geopos(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let Ctx { ks, out, db, name } = c;
    let z = zset_of(name, ks.db_mut(*db), a[1])?;
    out.array(a.len() - 2);
    for m in &a[2..] {
        match z.and_then(|z| z.score(m)).and_then(decode_score) {
            Some(xy) => {
                out.array(2);
                out.bulk(human(xy[0]).as_bytes());
                out.bulk(human(xy[1]).as_bytes());
            }
            None => out.nil_array(),
        }
    }
    Ok(())
}

/// GEODIST: the distance between two members in the unit (meters by default), nil
/// when either is missing.
pub(super) fn geodist(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let to_meter = match a.len() {
        4 => 1.0,
        5 => unit(c, a[4])?,
        _ => return Err(c.err("syntax error")),
    };
    let Ctx { ks, out, db, name } = c;
    let z = zset_of(name, ks.db_mut(*db), a[1])?;
    let xy = |m: &[u8]| z.and_then(|z| z.score(m)).and_then(decode_score);
    match (xy(a[2]), xy(a[3])) {
        (Some(p), Some(q)) => {
            out.bulk(fixed4(distance(p[0], p[1], q[0], q[1]) / to_meter).as_bytes())
        }
        _ => out.nil(),
    }
    Ok(())
}

/// GEOHASH: each member's standard 11-character geohash (re-encoded over latitudes
/// -90..90, the last character always `0`), nil for a missing one.
pub(super) fn geohash(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let Ctx { ks, out, db, name } = c;
    let z = zset_of(name, ks.db_mut(*db), a[1])?;
    out.array(a.len() - 2);
    for m in &a[2..] {
        let Some(xy) = z.and_then(|z| z.score(m)).and_then(decode_score) else {
            out.nil();
            continue;
        };
        let scale = (1u64 << STEP_MAX) as f64;
        let lat = (xy[1] + 90.0) / 180.0 * scale;
        let lon = (xy[0] + 180.0) / 360.0 * scale;
        let bits = interleave64(lat as u32, lon as u32);
        let mut buf = [b'0'; 11];
        for (i, b) in buf.iter_mut().enumerate().take(10) {
            *b = ALPHABET[((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
        }
        out.bulk(&buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::run;
    use super::super::tests::fails;
    use super::*;
    use crate::engine::Keyspace;

    fn zset(ks: &Keyspace, k: &str) -> Option<Vec<(String, f64)>> {
        match &ks.dbs[0].get(k.as_bytes())?.obj {
            Obj::Zset(z) => Some(
                z.iter()
                    .map(|(m, s)| (String::from_utf8_lossy(m).into_owned(), s))
                    .collect(),
            ),
            other => panic!("{k} is {other:?}"),
        }
    }

    /// Scores and distances from Redis 7.0's documentation examples.
    #[test]
    fn geoadd_scores_match_redis() {
        let ks = run(&["GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"]);
        let z = zset(&ks, "Sicily").unwrap();
        assert_eq!(
            z,
            [
                ("Palermo".to_string(), 3479099956230698.0),
                ("Catania".to_string(), 3479447370796909.0)
            ]
        );
        let d = distance(
            13.361389338970184,
            38.1155563954963,
            15.087267458438873,
            37.50266842333162,
        );
        assert_eq!(format!("{:.4}", d), "166274.1516");
    }

    #[test]
    fn geoadd_options() {
        let ks = run(&[
            "GEOADD k 1 1 a",
            "GEOADD k NX 2 2 a 3 3 b",
            "GEOADD k XX CH 4 4 b 5 5 c",
            "GEOADD missing XX 1 1 a",
        ]);
        let z = zset(&ks, "k").unwrap();
        let enc = |x: f64, y: f64| align52(encode(x, y, 26).unwrap()) as f64;
        assert_eq!(z.len(), 2);
        assert!(z.contains(&("a".into(), enc(1.0, 1.0))));
        assert!(z.contains(&("b".into(), enc(4.0, 4.0))));
        assert!(zset(&ks, "missing").is_none());
        assert!(fails(&[], &[b"GEOADD", b"k", b"200", b"1", b"a"]).contains("invalid longitude"));
        assert!(fails(&[], &[b"GEOADD", b"k", b"NX", b"XX", b"1", b"1", b"a"]).contains("syntax"));
    }

    #[test]
    fn radius_store_and_storedist() {
        let ks = run(&[
            "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento",
            "GEORADIUS Sicily 15 37 200 km STORE d1",
            "GEORADIUS Sicily 15 37 200 km STOREDIST d2",
            "GEORADIUS Sicily 15 37 200 km COUNT 1 STORE d3",
            "GEORADIUSBYMEMBER Sicily Agrigento 100 km STORE d4",
            "GEOSEARCHSTORE d5 Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 2 STOREDIST",
            "SET d6 x",
            "GEORADIUS Sicily 15 37 1 m STORE d6",
            "GEORADIUS nokey 15 37 1 m STORE d1",
        ]);
        let d1 = zset(&ks, "d1");
        assert_eq!(d1, None, "a missing source deletes the destination");
        let d2 = zset(&ks, "d2").unwrap();
        assert_eq!(d2.len(), 3);
        let cat = d2.iter().find(|(m, _)| m == "Catania").unwrap().1;
        assert_eq!(format!("{cat:.4}"), "56.4413");
        let pal = d2.iter().find(|(m, _)| m == "Palermo").unwrap().1;
        assert_eq!(format!("{pal:.4}"), "190.4424");
        assert_eq!(zset(&ks, "d3").unwrap().len(), 1);
        assert_eq!(zset(&ks, "d3").unwrap()[0].0, "Catania");
        let d4: Vec<String> = zset(&ks, "d4").unwrap().into_iter().map(|x| x.0).collect();
        assert_eq!(d4, ["Agrigento", "Palermo"]);
        let d5: Vec<String> = zset(&ks, "d5").unwrap().into_iter().map(|x| x.0).collect();
        assert_eq!(d5, ["Catania", "Agrigento"]);
        assert_eq!(
            zset(&ks, "d6"),
            None,
            "an empty result deletes the destination"
        );
        assert!(
            fails(
                &["GEOADD s 1 1 a"],
                &[
                    b"GEORADIUSBYMEMBER",
                    b"s",
                    b"zz",
                    b"1",
                    b"km",
                    b"STORE",
                    b"d"
                ]
            )
            .contains("could not decode")
        );
        assert!(
            fails(
                &[],
                &[
                    b"GEORADIUS",
                    b"s",
                    b"1",
                    b"1",
                    b"1",
                    b"km",
                    b"STORE",
                    b"d",
                    b"WITHDIST"
                ]
            )
            .contains("not compatible")
        );
        assert!(
            fails(
                &[],
                &[
                    b"GEOSEARCHSTORE",
                    b"d",
                    b"s",
                    b"FROMLONLAT",
                    b"1",
                    b"1",
                    b"COUNT",
                    b"1"
                ]
            )
            .contains("BYRADIUS")
        );
    }

    #[test]
    fn c_double_to_u64() {
        assert_eq!(to_u64_like_c(3.0), 3);
        assert_eq!(to_u64_like_c(-1.0), u64::MAX);
        assert_eq!(to_u64_like_c(1.8446744073709552e19), 0);
        assert_eq!(to_u64_like_c(9.3e18), 9_300_000_000_000_000_000);
    }
}
