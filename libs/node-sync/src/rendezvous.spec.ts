import { rendezvousOwner } from './rendezvous.js';

describe('rendezvousOwner', () => {
  const servers = Array.from({ length: 600 }, (_, i) => i + 1);

  it('has no owner without replicas, and the only replica owns everything', () => {
    expect(rendezvousOwner(1, [])).toBeNull();
    expect(servers.every((id) => rendezvousOwner(id, ['a']) === 'a')).toBe(true);
  });

  it('splits servers about evenly, whatever the order of the list', () => {
    const replicas = ['r1', 'r2', 'r3'];
    const counts = new Map<string, number>();
    for (const id of servers) {
      const owner = rendezvousOwner(id, replicas)!;
      expect(rendezvousOwner(id, [...replicas].reverse())).toBe(owner);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    for (const replica of replicas) expect(counts.get(replica)).toBeGreaterThan(150);
  });

  it('moves only the leaving replica’s servers', () => {
    const before = servers.map((id) => rendezvousOwner(id, ['r1', 'r2', 'r3']));
    const after = servers.map((id) => rendezvousOwner(id, ['r1', 'r3']));
    servers.forEach((_, i) => {
      if (before[i] !== 'r2') expect(after[i]).toBe(before[i]);
      else expect(['r1', 'r3']).toContain(after[i]);
    });
  });
});
