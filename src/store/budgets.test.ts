import { describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { reserve, settleReservation, type BudgetScope } from './budgets.ts';
import { releaseOwnerlessLeases } from './instance-liveness.ts';
import { GatewayError } from '../lib/errors.ts';
import { startSqld } from '../../test/helpers/sqld.ts';

async function fileStore(): Promise<Store> {
  const s = await openStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'tg-budget-')), 'db')}` });
  await migrate(s.client);
  return s;
}

const spendOf = async (s: Store, scope: string, id: string) => {
  const r = await s.client.execute({ sql: 'SELECT spent_micros, reserved_micros FROM spend WHERE scope = ? AND scope_id = ?', args: [scope, id] });
  return { spent: Number(r.rows[0]?.spent_micros ?? 0), reserved: Number(r.rows[0]?.reserved_micros ?? 0) };
};

describe('budget reservations', () => {
  test('200 concurrent reservations against $1 never pass the limit', async () => {
    const s = await fileStore();
    const scopes: BudgetScope[] = [{ scope: 'key', id: 'k1', period: 'month', limitMicros: 1_000_000 }];
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => reserve(s, `r${i}`, scopes, 12_345)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBe(Math.floor(1_000_000 / 12_345)); // 81
    for (const r of results) if (r.status === 'rejected') expect((r.reason as GatewayError).kind).toBe('budget_exceeded');
    expect((await spendOf(s, 'key', 'k1')).reserved).toBe(81 * 12_345);
    s.close();
  });

  test('a key and a team budget are reserved together or not at all', async () => {
    const s = await fileStore();
    const key: BudgetScope = { scope: 'key', id: 'k', period: 'day', limitMicros: 10_000_000 };
    const team: BudgetScope = { scope: 'team', id: 't', period: 'month', limitMicros: 50_000 };
    await reserve(s, 'a', [key, team], 40_000);
    const err = await reserve(s, 'b', [key, team], 20_000).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.message).toContain("team 't'");
    expect(err.message).toContain('resets at');
    // Retrying cannot help before the reset: the SDKs are told not to, and given nothing to sleep on.
    expect(err.headers['x-should-retry']).toBe('false');
    expect(err.headers['retry-after']).toBeUndefined();
    // The key's reservation did not move for the refused request.
    expect((await spendOf(s, 'key', 'k')).reserved).toBe(40_000);
    s.close();
  });

  test('settling books the actual cost, releases the reservation and is idempotent', async () => {
    const s = await fileStore();
    const scopes: BudgetScope[] = [{ scope: 'key', id: 'k', period: 'month', limitMicros: 1_000_000 }];
    const r = (await reserve(s, 'req', scopes, 300_000))!;
    await settleReservation(s, r, 1_234);
    await settleReservation(s, r, 1_234);
    expect(await spendOf(s, 'key', 'k')).toEqual({ spent: 1_234, reserved: 0 });
    const open = await s.client.execute('SELECT count(*) AS n FROM reservations WHERE settled_at IS NULL');
    expect(Number(open.rows[0]!.n)).toBe(0);
    s.close();
  });

  test('ownerless leases left open by an older version give their room back and book nothing', async () => {
    const s = await fileStore();
    const scopes: BudgetScope[] = [{ scope: 'team', id: 't', period: 'month', limitMicros: 1_000_000 }];
    await reserve(s, 'crashed', scopes, 5_000, Date.now() - 10 * 60_000);
    await reserve(s, 'recent', scopes, 7_000, Date.now());
    expect(await releaseOwnerlessLeases(s, 5 * 60_000, Date.now())).toBe(1);
    expect(await spendOf(s, 'team', 't')).toEqual({ spent: 0, reserved: 7_000 });
    s.close();
  });
});

describe('budget reservations on a real sqld server', () => {
  test('200 concurrent reservations against $1 never pass the limit', async () => {
    const server = await startSqld();
    const s = await openStore({ url: server.url });
    await migrate(s.client);
    const scopes: BudgetScope[] = [{ scope: 'team', id: 't', period: 'month', limitMicros: 1_000_000 }];
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => reserve(s, `r${i}`, scopes, 12_345)));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(81);
    expect((await spendOf(s, 'team', 't')).reserved).toBe(81 * 12_345);
    s.close();
    await server.stop();
  });
});
