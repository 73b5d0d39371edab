import { describe, expect, it } from 'vitest';
import { RecentList } from '../../src/state/recent-list.ts';

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('RecentList: the newest atMost items, oldest first', () => {
  it.each([1, 2, 7, 8, 100])('after every push of 1 to 250 items (atMost %i), it lists exactly the newest atMost', (atMost) => {
    const list = new RecentList<number>(atMost);
    for (let n = 1; n <= 250; n++) {
      list.push(n);
      const newest = upTo(n).slice(-atMost);
      expect(list.list()).toEqual(newest);
      expect(list.size).toBe(newest.length);
    }
  });

  it('takes several items in one push, in order', () => {
    const list = new RecentList<string>(3);
    list.push('a', 'b');
    list.push('c', 'd', 'e');
    expect(list.list()).toEqual(['c', 'd', 'e']);
  });

  it('atMost 0 keeps nothing; clear forgets everything', () => {
    const none = new RecentList<number>(0);
    none.push(1, 2, 3);
    expect(none.list()).toEqual([]);
    const list = new RecentList<number>(5);
    list.push(1, 2, 3);
    list.clear();
    expect(list.list()).toEqual([]);
    list.push(4);
    expect(list.list()).toEqual([4]);
  });

  it('lists a copy: changing it changes nothing kept', () => {
    const list = new RecentList<number>(3);
    list.push(1, 2);
    list.list().push(99);
    expect(list.list()).toEqual([1, 2]);
  });
});
