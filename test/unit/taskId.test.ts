import { describe, expect, it } from 'vitest';
import { newTaskId } from '../../server/db/taskId.js';

describe('newTaskId', () => {
  const ids = Array.from({ length: 20_000 }, newTaskId);

  it('keeps the shape task ids have had: a letter, then 23 of [a-z0-9]', () => {
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]{23}$/);
  });

  it('never repeats', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every character of its alphabet in every position, and each as often as the others', () => {
    const restCounts = new Map<string, number>();
    for (let position = 0; position < 24; position++) {
      const seen = new Set(ids.map((id) => id[position]!));
      expect(seen.size).toBe(position === 0 ? 26 : 36);
      if (position > 0) for (const id of ids) restCounts.set(id[position]!, (restCounts.get(id[position]!) ?? 0) + 1);
    }
    // 460,000 draws over 36 characters: ≈ 12,778 each, σ ≈ 111 (0.9%). Mapping random bytes to
    // characters with a bare modulo (256 % 36 = 4) would favour four of them by 14%.
    const expected = (ids.length * 23) / 36;
    for (const count of restCounts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.05);
  });
});
