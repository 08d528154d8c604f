// H.264 in Annex B (start codes), as a desktop's screencast sends it, cut into what WebCodecs decodes: one
// access unit (one picture: its slices, with the SPS/PPS/SEI before it) per EncodedVideoChunk.

const IDR = 5;
const SPS = 7;

/** The NAL units of an Annex B byte string: {type, start, end} with start at the NAL header (after the start code). */
export function nalUnits(b) {
  const out = [];
  let i = 0;
  let start = -1;
  while (i + 2 < b.length) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
      if (start >= 0) out.push(unit(b, start, trimZeros(b, start, i)));
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < b.length) out.push(unit(b, start, b.length));
  return out;
}

function trimZeros(b, from, to) {
  // the zero byte of a four-byte start code belongs to the next unit's start code, not to this unit
  while (to > from && b[to - 1] === 0) to--;
  return to;
}

function unit(b, start, end) {
  return { type: b[start] & 0x1f, start, end };
}

function isSlice(type) {
  return type === 1 || type === IDR;
}

/**
 * Splits an Annex B byte string into access units: {data (Annex B, with start codes), key (has an IDR slice),
 * sps (the SPS's bytes, if the unit carries one)}. A new unit begins at a slice whose first_mb_in_slice is 0
 * (the first bit of its header's ue(v) is 1), or at a parameter set, SEI or delimiter after a slice.
 */
export function accessUnits(b) {
  const units = nalUnits(b);
  const out = [];
  let current = null;
  for (const u of units) {
    const slice = isSlice(u.type);
    const firstSlice = slice && u.end > u.start + 1 && (b[u.start + 1] & 0x80) !== 0;
    if (current && current.hasSlice && (!slice || firstSlice)) {
      out.push(current);
      current = null;
    }
    if (!current) current = { parts: [], key: false, sps: null, hasSlice: false };
    current.parts.push(u);
    if (u.type === IDR) current.key = true;
    if (u.type === SPS && !current.sps) current.sps = b.subarray(u.start, u.end);
    if (slice) current.hasSlice = true;
  }
  if (current && current.parts.length) out.push(current);
  return out.map((au) => ({ data: annexB(b, au.parts), key: au.key, sps: au.sps, hasSlice: au.hasSlice }));
}

function annexB(b, parts) {
  let size = 0;
  for (const p of parts) size += 4 + p.end - p.start;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set([0, 0, 0, 1], o);
    out.set(b.subarray(p.start, p.end), o + 4);
    o += 4 + p.end - p.start;
  }
  return out;
}

/** The WebCodecs codec string of an SPS: avc1.PPCCLL (profile_idc, constraint flags, level_idc). */
export function codecOf(sps) {
  const hex = (n) => n.toString(16).padStart(2, '0').toUpperCase();
  return `avc1.${hex(sps[1])}${hex(sps[2])}${hex(sps[3])}`;
}
