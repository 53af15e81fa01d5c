import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { listAudit, verifyAuditChain } from '../audit/index.ts';
import { ensureAdminUser, ensureDemoUsers } from './bootstrap.ts';
import { ROLES } from './permissions.ts';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from './testing.ts';

const STREET_A = '330102001';
const STREET_B = '330102002';

for (const backend of testBackends()) {
  describe(`user administration (${backend})`, () => {
    let t: TestApp;
    let admin: string;
    const post = (payload: object, token = admin) =>
      t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(token), payload });
    const auditCount = async () => (await verifyAuditChain(t.kernel.db)).count ?? 0;
    const userCount = async () =>
      Number(
        (
          await t.kernel.db
            .selectFrom('identity_user')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      );

    before(async () => {
      t = await buildTestApp(backend);
      admin = await loginAs(t, 'admin', TEST_ADMIN_PASSWORD);
    });
    after(() => t.dispose());

    test('the first start created the admin user, audited', async () => {
      const { items } = await listAudit(t.kernel.db, { action: 'user.create', actor: 'system' });
      assert.equal(items.length, 1);
      const again = await ensureAdminUser(t.kernel);
      assert.equal(again.created, false);
    });

    test('weak passwords are each rejected with a clear problem and nothing changes', async () => {
      const before = [await userCount(), await auditCount()];
      const weak: [string, RegExp][] = [
        ['Short1x', /at least 10 characters/],
        ['onlyletterslong', /must contain a digit/],
        ['12345678901234', /must contain a letter/],
        ['xwang.li2026x', /must not contain the username/],
        ['Password123', /too common/],
      ];
      for (const [password, reason] of weak) {
        const res = await post({
          username: 'wang.li',
          displayName: 'Wang Li',
          password,
          roles: ['dispatcher'],
        });
        assert.equal(res.statusCode, 400, password);
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
        assert.equal(res.json().code, 'password.too_weak');
        assert.match(res.json().detail, reason);
        assert.ok(Array.isArray(res.json().problems));
      }
      const missing = await post({ username: 'wang.li', roles: ['dispatcher'] });
      assert.equal(missing.json().code, 'password.required');
      assert.deepEqual([await userCount(), await auditCount()], before);
    });

    test('invalid usernames, roles and duplicate names are rejected', async () => {
      assert.equal(
        (await post({ username: 'A!', password: 'Good-pass-123', roles: ['dispatcher'] })).statusCode,
        400,
      );
      assert.equal(
        (await post({ username: 'zed', password: 'Good-pass-123', roles: ['king'] })).statusCode,
        400,
      );
      assert.equal((await post({ username: 'zed', password: 'Good-pass-123', roles: [] })).statusCode, 400);
      assert.equal(
        (await post({ username: 'zed', password: 'Good-pass-123', roles: ['dispatcher'] })).statusCode,
        201,
      );
      const dup = await post({ username: 'zed', password: 'Good-pass-123', roles: ['dispatcher'] });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'user.username_taken');
    });

    test('create, read, change roles and scope, disable: each audited with before and after digests', async () => {
      const created = await post({
        username: 'li.na',
        displayName: 'Li Na',
        password: 'Handler-pass-77',
        roles: ['department_handler'],
        departmentCodes: ['urban-mgmt'],
        phone: '13812345678',
      });
      assert.equal(created.statusCode, 201, created.body);
      const user = created.json();
      assert.equal(user.phone, '13812345678', 'admins see personal data');
      const got = await t.app.inject({ url: `/api/v1/users/${user.id}`, headers: bearer(admin) });
      assert.equal(got.json().username, 'li.na');

      const token = await loginAs(t, 'li.na', 'Handler-pass-77');
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        headers: bearer(admin),
        payload: { roles: ['department_leader'], divisionCodes: [STREET_A], version: 1 },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().roles, ['department_leader']);
      assert.equal(patched.json().version, 2);
      const stale = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        headers: bearer(admin),
        payload: { displayName: 'x', version: 1 },
      });
      assert.equal(stale.statusCode, 409);

      const disabled = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        headers: bearer(admin),
        payload: { disabled: true },
      });
      assert.equal(disabled.json().disabled, true);
      assert.equal((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 401);
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'li.na', password: 'Handler-pass-77' },
      });
      assert.equal(login.statusCode, 401);

      const { items } = await listAudit(t.kernel.db, { objectType: 'user', objectId: user.id });
      assert.deepEqual(
        items.map((r) => r.action),
        ['user.disable', 'user.update', 'user.create'],
      );
      assert.ok(items.every((r) => r.actor === 'admin' && r.requestId));
      assert.ok(
        items[1].beforeDigest && items[1].afterDigest && items[1].beforeDigest !== items[1].afterDigest,
      );
    });

    test('password reset checks the policy, revokes sessions and is audited', async () => {
      const u = await addUser(t, 'reset.me', ['dispatcher']);
      const token = await loginAs(t, 'reset.me');
      const url = `/api/v1/users/${u.id}/password`;
      const weak = await t.app.inject({
        method: 'POST',
        url,
        headers: bearer(admin),
        payload: { password: 'short' },
      });
      assert.equal(weak.json().code, 'password.too_weak');
      assert.equal((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 200);
      const ok = await t.app.inject({
        method: 'POST',
        url,
        headers: bearer(admin),
        payload: { password: 'Brand-new-pass-9' },
      });
      assert.equal(ok.statusCode, 204);
      assert.equal((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 401);
      await loginAs(t, 'reset.me', 'Brand-new-pass-9');
      const { items } = await listAudit(t.kernel.db, { objectId: u.id, action: 'user.password_reset' });
      assert.equal(items.length, 1);
    });

    test('an admin can revoke all sessions of a user', async () => {
      const u = await addUser(t, 'many.sessions', ['auditor']);
      const tokens = [await loginAs(t, 'many.sessions'), await loginAs(t, 'many.sessions')];
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${u.id}/sessions`,
        headers: bearer(admin),
      });
      assert.deepEqual(res.json(), { revoked: 2 });
      for (const token of tokens)
        assert.equal(
          (await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode,
          401,
        );
    });

    test('jurisdiction: a street officer sees users of their street only; others are 404', async () => {
      await addUser(t, 'officer.a', ['street_officer'], { divisionCodes: [STREET_A] });
      const inA = await addUser(t, 'worker.a', ['grid_worker'], { divisionCodes: [`${STREET_A}00101`] });
      const inB = await addUser(t, 'worker.b', ['grid_worker'], { divisionCodes: [`${STREET_B}00101`] });
      const token = await loginAs(t, 'officer.a');
      assert.equal(
        (await t.app.inject({ url: `/api/v1/users/${inA.id}`, headers: bearer(token) })).statusCode,
        200,
      );
      const other = await t.app.inject({ url: `/api/v1/users/${inB.id}`, headers: bearer(token) });
      assert.equal(other.statusCode, 404);
      assert.equal(other.json().code, 'user.not_found');
      const missing = await t.app.inject({ url: '/api/v1/users/no-such-id', headers: bearer(token) });
      assert.equal(
        missing.json().detail.replace('no-such-id', inB.id),
        other.json().detail,
        'same answer as missing',
      );
      const list = await t.app.inject({ url: '/api/v1/users', headers: bearer(token) });
      const names = list.json().items.map((u: { username: string }) => u.username);
      assert.ok(names.includes('worker.a') && names.includes('officer.a'));
      assert.ok(!names.includes('worker.b') && !names.includes('admin'));
    });

    test('jurisdiction: a department leader sees their department only', async () => {
      await addUser(t, 'leader.water', ['department_leader'], { departmentCodes: ['water'] });
      const mate = await addUser(t, 'handler.water', ['department_handler'], { departmentCodes: ['water'] });
      const stranger = await addUser(t, 'handler.gas', ['department_handler'], { departmentCodes: ['gas'] });
      const token = await loginAs(t, 'leader.water');
      assert.equal(
        (await t.app.inject({ url: `/api/v1/users/${mate.id}`, headers: bearer(token) })).statusCode,
        200,
      );
      assert.equal(
        (await t.app.inject({ url: `/api/v1/users/${stranger.id}`, headers: bearer(token) })).statusCode,
        404,
      );
    });

    test('a district-scoped admin cannot reach or create users outside the district', async () => {
      await addUser(t, 'admin.district', ['admin'], { divisionCodes: ['330102'] });
      const outside = await addUser(t, 'worker.far', ['grid_worker'], { divisionCodes: ['33010300100101'] });
      const token = await loginAs(t, 'admin.district');
      const patch = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${outside.id}`,
        headers: bearer(token),
        payload: { roles: ['admin'] },
      });
      assert.equal(patch.statusCode, 404);
      const cityWide = await post(
        { username: 'sneaky', password: 'Sneaky-pass-11', roles: ['admin'] },
        token,
      );
      assert.equal(cityWide.json().code, 'user.scope_outside_jurisdiction');
      const inside = await post(
        {
          username: 'near',
          password: 'Closeby-pass-11',
          roles: ['grid_worker'],
          divisionCodes: ['33010200200101'],
        },
        token,
      );
      assert.equal(inside.statusCode, 201);
    });

    test('personal data of citizens is masked for roles that do not need it', async () => {
      const citizen = await addUser(t, 'citizen.zhang', ['citizen'], {
        divisionCodes: [`${STREET_A}001`],
        phone: '13987654321',
        email: 'zhang.san@example.cn',
      });
      await t.kernel.db
        .updateTable('identity_user')
        .set({ display_name: '张三丰' })
        .where('id', '=', citizen.id)
        .execute();
      const officer = await loginAs(t, 'officer.a');
      const masked = (
        await t.app.inject({ url: `/api/v1/users/${citizen.id}`, headers: bearer(officer) })
      ).json();
      assert.equal(masked.phone, '139****4321');
      assert.equal(masked.email, 'z***@example.cn');
      assert.equal(masked.displayName, '张**');
      await addUser(t, 'dispatch.1', ['dispatcher']);
      const dispatcher = await loginAs(t, 'dispatch.1');
      // Dispatchers need personal data to call back; they have no user.read though.
      assert.equal(
        (await t.app.inject({ url: `/api/v1/users/${citizen.id}`, headers: bearer(dispatcher) })).statusCode,
        403,
      );
      const full = (
        await t.app.inject({ url: `/api/v1/users/${citizen.id}`, headers: bearer(admin) })
      ).json();
      assert.equal(full.phone, '13987654321');
      assert.equal(full.displayName, '张三丰');
    });

    test('ensureDemoUsers creates one user per role, idempotently, with the given password', async () => {
      const first = await ensureDemoUsers(t.kernel, {
        password: 'Demo-city-2026',
        departments: ['urban-mgmt'],
        divisions: {
          district: '330102',
          street: STREET_A,
          community: `${STREET_A}001`,
          grid: `${STREET_A}00101`,
        },
      });
      assert.equal(first.created.length, ROLES.length);
      assert.equal(first.password, 'Demo-city-2026');
      const again = await ensureDemoUsers(t.kernel, {
        password: 'Demo-city-2026',
        departments: [],
        divisions: {},
      });
      assert.equal(again.created.length, 0);
      const token = await loginAs(t, 'demo.street_officer', 'Demo-city-2026');
      const me = (await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).json();
      assert.deepEqual(me.divisionCodes, [STREET_A]);
      const generated = await ensureDemoUsers(t.kernel, { departments: [], divisions: {} });
      assert.ok(generated.password.length >= 10);
    });

    test('the audit chain is intact after all of it', async () => {
      assert.equal((await verifyAuditChain(t.kernel.db)).ok, true);
    });
  });
}
