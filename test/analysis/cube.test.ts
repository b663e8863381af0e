import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isectIv, subIv, CubeIndex, makeUniverse, Atoms, Principals, cubesOverlap, cubeContains, cubeIsEmpty, copyCube, portsLeft, subtractCube, type Cube } from '../../src/analysis/cube.js';
import { AddrSet, IntervalSet, numSetOf } from '../../src/model/index.js';

const setArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 })), { maxLength: 6 })
  .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, lo + len] as const)));

describe('fast interval operations agree with the model', () => {
  test('isectIv / subIv', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        expect(isectIv(a, b).bounds).toEqual(a.intersect(b).bounds);
        expect(subIv(a, b).bounds).toEqual(a.subtract(b).bounds);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  test('isectIv / subIv of IPv6 (bigint) sets, and subIv after a difference of thousands of bounds', () => {
    const big = (x: IntervalSet<number>) => IntervalSet.fromBounds(x.bounds.map((v) => BigInt(v) << 100n));
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        expect(subIv(big(a), big(b)).bounds).toEqual(big(a).subtract(big(b)).bounds);
        expect(isectIv(big(a), big(b)).bounds).toEqual(big(a).intersect(big(b)).bounds);
      }),
      { numRuns: 500, seed: 9 },
    );
    // 3000 intervals, each cut in two by one of 3000 others: 12000 bounds left (the scratch list is let go past 4096)
    const many = IntervalSet.fromBounds(Array.from({ length: 6000 }, (_, i) => i * 10));
    const gaps = IntervalSet.fromBounds(Array.from({ length: 6000 }, (_, i) => i * 10 + (i % 2 === 0 ? 3 : -1)));
    expect(subIv(many, gaps).bounds).toEqual(many.subtract(gaps).bounds);
    expect(subIv(many, gaps).bounds.length).toBe(12000);
    expect(subIv(IntervalSet.range(1, 4), IntervalSet.range(2, 3)).bounds).toEqual([1, 2, 3, 4]);
  });

  test('subIv of long sets (past the length fromBounds copies) and cubeContains of many-interval sets', () => {
    const longArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 6 })), { maxLength: 40 })
      .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, lo + len] as const)));
    const U = makeUniverse('ipv4', new Atoms([]), new Principals([], false));
    fc.assert(
      fc.property(fc.oneof(longArb, setArb), fc.oneof(longArb, setArb), (a, b) => {
        expect(subIv(a, b).bounds).toEqual(a.subtract(b).bounds);
        if (a.isEmpty) return;
        const ca = copyCube(U);
        ca.dport = a;
        const cb = copyCube(U);
        cb.dport = b;
        expect(cubeContains(cb, ca)).toBe(a.isSubsetOf(b));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});

describe('CubeIndex', () => {
  test('query returns exactly the overlapping live items', () => {
    const ifs = new Atoms(['eth0']);
    const U = makeUniverse('ipv4', ifs, new Principals([], false));
    const cubeArb = fc
      .record({ port: fc.option(fc.integer({ min: 0, max: 100 })), wide: fc.boolean(), src: fc.option(fc.integer({ min: 0, max: 4000 })), proto: fc.option(fc.constantFrom(6, 17)) })
      .map(({ port, wide, src, proto }): Cube => ({
        ...U,
        dport: port === null ? U.dport : numSetOf([[port, wide ? port + 200 : port]]),
        src: src === null ? U.src : new AddrSet(IntervalSet.range(src * 64, src * 64 + 100), IntervalSet.empty()),
        proto: proto === null ? U.proto : numSetOf([[proto, proto]]),
      }));
    fc.assert(
      fc.property(fc.array(cubeArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), cubeArb, (items, removes, q) => {
        const idx = new CubeIndex<{ c: Cube }>();
        const ids = items.map((c) => idx.add({ c }));
        const removed = new Set(removes.map((r) => ids[r % Math.max(1, ids.length)]!).filter((x) => x !== undefined));
        for (const r of removed) idx.remove(r);
        const got = new Set<number>();
        idx.query(q, got);
        const want = ids.filter((id, i) => !removed.has(id) && cubesOverlap(items[i]!, q));
        expect([...got].sort((x, y) => x - y)).toEqual(want);
        // the list form: the same ids in the same order
        const list: number[] = [];
        idx.query(q, list);
        expect(list).toEqual([...got]);
        // several queries into one list: their union, each id once
        const all: number[] = [];
        idx.queryAll([q, items[0] ?? q, q], all);
        const union = ids.filter((id, i) => !removed.has(id) && (cubesOverlap(items[i]!, q) || (items[0] !== undefined && cubesOverlap(items[i]!, items[0]))));
        expect([...all].sort((x, y) => x - y)).toEqual(union);
        expect(new Set(all).size).toBe(all.length);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  test('stays exact through many removals (the lists are rebuilt once the dead outnumber the living)', () => {
    const ifs = new Atoms(['eth0']);
    const U = makeUniverse('ipv4', ifs, new Principals([], false));
    const cubeArb = fc
      .record({ port: fc.option(fc.integer({ min: 0, max: 30 })), src: fc.option(fc.integer({ min: 0, max: 40 })) })
      .map(({ port, src }): Cube => ({
        ...U,
        dport: port === null ? U.dport : numSetOf([[port, port + 3]]),
        src: src === null ? U.src : new AddrSet(IntervalSet.range(src * 256, src * 256 + 300), IntervalSet.empty()),
      }));
    const opArb = fc.oneof(cubeArb.map((c) => ({ add: c })), fc.nat().map((r) => ({ remove: r })));
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 150, maxLength: 400 }), cubeArb, (ops, q) => {
        const idx = new CubeIndex<{ c: Cube }>();
        const live = new Map<number, Cube>();
        for (const op of ops) {
          if ('add' in op) live.set(idx.add({ c: op.add }), op.add);
          else if (live.size > 0) {
            const id = [...live.keys()][op.remove % live.size]!;
            idx.remove(id);
            live.delete(id);
          }
        }
        expect(idx.size).toBe(live.size);
        const got = new Set<number>();
        idx.query(q, got);
        const want = [...live].filter(([, c]) => cubesOverlap(c, q)).map(([id]) => id);
        expect([...got].sort((x, y) => x - y)).toEqual(want.sort((x, y) => x - y));
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe('CubeIndex options (lean, noProto)', () => {
  test('adds and queries interleaved: every answer is exactly the overlapping items, whatever dimension is keyed first', () => {
    const ifs = new Atoms(['eth0']);
    const U = makeUniverse('ipv4', ifs, new Principals([], false));
    // mostly wide in the destination (lean builds no sub-index for it until one item is keyed there)
    const cubeArb = fc
      .record({
        port: fc.option(fc.integer({ min: 0, max: 40 })),
        src: fc.option(fc.integer({ min: 0, max: 300 })),
        dst: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 1 }),
        proto: fc.constantFrom(6, 17),
      })
      .map(({ port, src, dst, proto }): Cube => ({
        ...U,
        proto: numSetOf([[proto, proto]]),
        dport: port === null ? U.dport : numSetOf([[port, port + 2]]),
        src: src === null ? U.src : new AddrSet(IntervalSet.range(src * 256, src * 256 + 10), IntervalSet.empty()),
        dst: dst === null ? U.dst : new AddrSet(IntervalSet.range(dst * 256, dst * 256 + 300), IntervalSet.empty()),
      }));
    // (reserve: room for that many items in all, below or beyond the count so far)
    const opArb = fc.oneof(
      { arbitrary: cubeArb.map((add) => ({ add })), weight: 3 },
      { arbitrary: cubeArb.map((query) => ({ query })), weight: 1 },
      { arbitrary: fc.integer({ min: 0, max: 100 }).map((reserve) => ({ reserve })), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.boolean(), (ops, noProto) => {
        const lean = new CubeIndex<{ c: Cube }>({ lean: true, noProto });
        // the same, holding the cubes themselves
        const bare = new CubeIndex<Cube>({ lean: true, noProto, bare: true });
        const items: Cube[] = [];
        for (const op of ops) {
          if ('reserve' in op) {
            lean.reserve(op.reserve);
            bare.reserve(op.reserve);
            continue;
          }
          if ('add' in op) {
            expect(lean.add({ c: op.add })).toBe(items.length);
            expect(bare.add(op.add)).toBe(items.length);
            items.push(op.add);
            continue;
          }
          const want = items.flatMap((c, i) => (cubesOverlap(c, op.query) ? [i] : []));
          for (const idx of [lean, bare]) {
            const got: number[] = [];
            expect(idx.query(op.query, got)).toBe(true);
            expect([...got].sort((x, y) => x - y)).toEqual(want);
            expect(new Set(got).size).toBe(got.length);
          }
        }
      }),
      { numRuns: 400, seed: 23 },
    );
  });

  test('maxCost: a lean index declines a query its best dimension cannot narrow, and answers one it can', () => {
    const U = makeUniverse('ipv4', new Atoms([]), new Principals([], false));
    const idx = new CubeIndex<{ c: Cube }>({ lean: true, noProto: true });
    for (let p = 0; p < 40; p++) idx.add({ c: { ...U, proto: numSetOf([[6, 6]]), dport: numSetOf([[1000 + p, 1000 + p]]) } });
    // wide in the port and no source or destination key: every item would be tested
    expect(idx.query({ ...U, proto: numSetOf([[6, 6]]) }, [], 10)).toBe(false);
    const got: number[] = [];
    expect(idx.query({ ...U, proto: numSetOf([[6, 6]]), dport: numSetOf([[1005, 1005]]) }, got, 10)).toBe(true);
    expect(got).toEqual([5]);
  });
});

describe('isectIv shares an operand that is the intersection', () => {
  test('one interval inside one of the other set’s intervals is returned itself', () => {
    const tcp = numSetOf([[6, 6]]);
    const portProtocols = numSetOf([[6, 6], [17, 17], [33, 33], [132, 132], [136, 136]]);
    expect(isectIv(tcp, portProtocols)).toBe(tcp);
    expect(isectIv(portProtocols, tcp)).toBe(tcp);
    // not inside one interval: a new set with the exact bounds
    const r = isectIv(numSetOf([[5, 18]]), portProtocols);
    expect(r.bounds).toEqual([6, 7, 17, 18]);
  });
});

describe('CubeIndex.queryAll with one live item', () => {
  // the one item: added alone, left alone by removals (found by a scan of the ids), or among more than 64 ids
  // (then the index answers)
  test.each([
    ['added alone', 1, []],
    ['left alone by removals', 10, [0, 1, 2, 4, 5, 6, 7, 8, 9]],
    ['left alone among many ids', 120, [...Array(120).keys()].filter((i) => i !== 77)],
  ] as [string, number, number[]][])('answers as the index does (%s)', (_name, n, removes) => {
    const ifs = new Atoms(['eth0']);
    const U = makeUniverse('ipv4', ifs, new Principals([], false));
    const at = (port: number): Cube => ({ ...U, dport: numSetOf([[port, port + 9]]) });
    const idx = new CubeIndex<{ c: Cube }>();
    for (let i = 0; i < n; i++) idx.add({ c: at(i * 10) });
    for (const r of removes) idx.remove(r);
    expect(idx.size).toBe(1);
    const alive = [...Array(n).keys()].find((i) => !removes.includes(i))!;
    for (const q of [at(alive * 10 + 5), at(alive * 10 + 10), at(alive * 10 - 10)]) {
      const all: number[] = [];
      idx.queryAll([at(5000), q, q], all);
      expect(all).toEqual(cubesOverlap(q, at(alive * 10)) ? [alive] : []);
    }
  });
});

describe('subtractCube', () => {
  /**
   * The pieces subtractCube made before it told the dimensions that leave a piece first (model operations only): one
   * piece per dimension in split order, each narrowed to b in the dimensions before it.
   */
  function reference(a: Cube, b: Cube): Cube[] {
    if (!cubesOverlap(a, b)) return [a];
    const out: Cube[] = [];
    let cur: Cube = copyCube(a);
    const step = (cut: (x: Cube) => boolean, narrow: (x: Cube) => void) => {
      const piece = copyCube(cur);
      if (cut(piece)) out.push(piece);
      const next = copyCube(cur);
      narrow(next);
      cur = next;
    };
    step((x) => !(x.proto = cur.proto.subtract(b.proto)).isEmpty, (x) => (x.proto = cur.proto.intersect(b.proto)));
    step((x) => (x.iif = cur.iif & ~b.iif) !== 0n, (x) => (x.iif = cur.iif & b.iif));
    step((x) => (x.oif = cur.oif & ~b.oif) !== 0n, (x) => (x.oif = cur.oif & b.oif));
    step((x) => (x.ct = cur.ct & ~b.ct) !== 0, (x) => (x.ct = cur.ct & b.ct));
    step((x) => !(x.icmp = cur.icmp.subtract(b.icmp)).isEmpty, (x) => (x.icmp = cur.icmp.intersect(b.icmp)));
    step((x) => !(x.dport = cur.dport.subtract(b.dport)).isEmpty, (x) => (x.dport = cur.dport.intersect(b.dport)));
    step((x) => !(x.sport = cur.sport.subtract(b.sport)).isEmpty, (x) => (x.sport = cur.sport.intersect(b.sport)));
    step((x) => !(x.dst = cur.dst.subtract(b.dst)).isEmpty, (x) => (x.dst = cur.dst.intersect(b.dst)));
    const piece = copyCube(cur);
    piece.src = cur.src.subtract(b.src);
    piece.sprin = cur.sprin & ~b.sprin;
    if (!piece.src.isEmpty || piece.sprin !== 0n) out.push(piece);
    return out;
  }

  const flat = (c: Cube) => [c.proto.bounds, c.iif, c.oif, c.ct, c.icmp.bounds, c.dport.bounds, c.sport.bounds, c.dst.v4.bounds, c.dst.v6.bounds, c.src.v4.bounds, c.src.v6.bounds, c.sprin];
  const U = makeUniverse('ipv4', new Atoms(['eth0', 'eth1']), new Principals(['p', 'q'], true));
  // cubes over the universe U, each dimension narrowed or not (IPv4 addresses spread by 1000)
  const v4Arb = setArb.map((s) => new AddrSet(IntervalSet.fromBounds(s.bounds.map((x) => x * 1000)), IntervalSet.empty()));
  const cubeArb = fc
    .record({
      proto: fc.option(setArb),
      iif: fc.option(fc.bigInt({ min: 1n, max: U.iif })),
      ct: fc.option(fc.integer({ min: 1, max: 1023 })),
      dport: fc.option(setArb),
      sport: fc.option(setArb),
      dst: fc.option(v4Arb),
      src: fc.option(v4Arb),
      sprin: fc.option(fc.bigInt({ min: 0n, max: U.sprin })),
    })
    .map((r): Cube => {
      const c = copyCube(U);
      if (r.proto) c.proto = r.proto;
      if (r.iif !== null) c.iif = r.iif;
      if (r.ct !== null) c.ct = r.ct;
      if (r.dport) c.dport = r.dport;
      if (r.sport) c.sport = r.sport;
      if (r.dst) c.dst = r.dst;
      if (r.src) c.src = r.src;
      if (r.sprin !== null) c.sprin = r.sprin;
      return c;
    });

  test('makes the same pieces, in the same order, as the dimension-by-dimension reference', () => {
    fc.assert(
      fc.property(cubeArb, cubeArb, fc.boolean(), (a, b0, inside) => {
        // (half the time b is cut from a's own sets, so that whole dimensions are inside b's)
        const b = inside ? { ...b0, proto: a.proto, ct: a.ct | b0.ct, sport: a.sport, src: a.src } : b0;
        const got: Cube[] = [];
        subtractCube(a, b, got);
        expect(got.map(flat)).toEqual(reference(a, b).map(flat));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  test('portsLeft answers as subtractCube does where it answers, and answers every cut that only takes ports', () => {
    let answered = 0;
    fc.assert(
      fc.property(cubeArb, cubeArb, setArb, fc.boolean(), (a0, b0, cut, inside) => {
        // a's ports as earlier holes may have left them; half the time b holds a but in its ports (the common cut)
        const ports = a0.dport.subtract(cut);
        const a = copyCube(a0);
        a.dport = ports;
        if (cubeIsEmpty(a)) return;
        const b = inside ? { ...a, dport: b0.dport } : b0;
        const got: Cube[] = [];
        subtractCube(a, b, got);
        const left = portsLeft(a0, ports, b);
        // (undefined is allowed where b leaves a in another dimension, or misses it there: subtractCube decides)
        if (left === undefined) {
          expect(inside).toBe(false);
          return;
        }
        answered++;
        if (left === ports) expect(got).toEqual([a]);
        else if (left.isEmpty) expect(got).toEqual([]);
        else expect(got.map(flat)).toEqual([flat({ ...a, dport: left })]);
      }),
      { numRuns: 3000, seed: 5 },
    );
    expect(answered).toBeGreaterThan(1000);
  });
});
