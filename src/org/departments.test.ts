import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import type { Principal } from '../identity/index.ts';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from '../identity/testing.ts';
import { listDepartments } from './departments.ts';
import { tinyCity } from './testing.ts';

for (const backend of testBackends()) {
  describe(`departments, posts and responsibility grids (${backend})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    let handler: Record<string, string>;
    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      url: string,
      payload?: object,
      headers = admin,
    ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

    before(async () => {
      t = await buildTestApp(backend);
      admin = bearer(await loginAs(t, 'admin', TEST_ADMIN_PASSWORD));
      await addUser(t, 'handler.one', ['department_handler'], { departmentCodes: ['sanitation'] });
      handler = bearer(await loginAs(t, 'handler.one'));
      assert.equal((await call('POST', '/api/v1/divisions/import', tinyCity())).statusCode, 200);
    });
    after(() => t.dispose());

    it('has the core centers and every enabled plate department from the start', async () => {
      const codes = (await call('GET', '/api/v1/departments')).json().map((d: { code: string }) => d.code);
      for (const code of [
        'supervision-center',
        'command-center',
        'urban-management',
        'sanitation',
        'ecology-environment',
      ])
        assert.ok(codes.includes(code), code);
      const sanitation = (await call('GET', '/api/v1/departments/sanitation')).json();
      assert.equal(sanitation.parentCode, 'urban-management');
      assert.equal(sanitation.source, 'city-management');
      // The response schema drops what it does not name: the answer is the service's whole view.
      const principal: Principal = {
        kind: 'user',
        id: 'admin',
        username: 'admin',
        roles: ['admin'],
        departmentCodes: [],
        divisionCodes: [],
      };
      assert.deepEqual(
        (await call('GET', '/api/v1/departments')).json(),
        await listDepartments(t.kernel.db, { principal, now: t.clock.now() }),
      );
    });

    it('creates, changes and deletes a department with validation and audit', async () => {
      const body = {
        code: 'river-chief',
        name: { 'zh-CN': '河长办', en: 'River Chief Office' },
        kind: 'center',
        parentCode: 'district-gov-330102',
        divisionCodes: ['330102'],
      };
      const created = await call('POST', '/api/v1/departments', body);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await call('POST', '/api/v1/departments', body)).statusCode, 409);
      const badParent = await call('POST', '/api/v1/departments', {
        ...body,
        code: 'x-office',
        parentCode: 'ghost',
      });
      assert.equal(badParent.json().code, 'department.unknown');
      const badDivision = await call('POST', '/api/v1/departments', {
        ...body,
        code: 'y-office',
        divisionCodes: ['330199'],
      });
      assert.equal(badDivision.json().code, 'division.unknown');
      const badKind = await call('POST', '/api/v1/departments', {
        ...body,
        code: 'z-office',
        kind: 'ministry',
      });
      assert.equal(badKind.statusCode, 400);
      const cycle = await call('PATCH', '/api/v1/departments/district-gov-330102', {
        parentCode: 'river-chief',
      });
      assert.equal(cycle.statusCode, 400);
      const renamed = await call('PATCH', '/api/v1/departments/river-chief', {
        name: { 'zh-CN': '河长制办公室', en: 'River Chief' },
      });
      assert.equal(renamed.json().name.en, 'River Chief');

      const post = await call('POST', '/api/v1/posts', {
        code: 'river-chief.leader',
        departmentCode: 'river-chief',
        name: { 'zh-CN': '河长', en: 'River chief' },
        role: 'department_leader',
      });
      assert.equal(post.statusCode, 201, post.body);
      assert.equal(
        (await call('DELETE', '/api/v1/departments/river-chief')).json().code,
        'department.in_use',
      );
      const holders = await call('PATCH', '/api/v1/posts/river-chief.leader', { holderIds: ['u-1'] });
      assert.deepEqual(holders.json().holderIds, ['u-1']);
      assert.equal((await call('GET', '/api/v1/posts?department=river-chief')).json().length, 1);
      assert.equal((await call('DELETE', '/api/v1/posts/river-chief.leader')).statusCode, 204);
      assert.equal((await call('DELETE', '/api/v1/departments/river-chief')).statusCode, 204);
      assert.equal((await call('GET', '/api/v1/departments/river-chief')).statusCode, 404);

      const audit = await t.kernel.db
        .selectFrom('audit_record')
        .select('action')
        .where('object_id', 'in', ['river-chief', 'river-chief.leader'])
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        [
          'department.create',
          'department.update',
          'post.create',
          'post.update',
          'post.delete',
          'department.delete',
        ],
      );
    });

    it('lets department handlers read but not change the organization', async () => {
      assert.equal((await call('GET', '/api/v1/departments', undefined, handler)).statusCode, 200);
      const denied = await call(
        'POST',
        '/api/v1/departments',
        { code: 'nope', name: { 'zh-CN': '否', en: 'No' }, kind: 'bureau' },
        handler,
      );
      assert.equal(denied.statusCode, 403);
      assert.equal((await t.app.inject({ url: '/api/v1/departments' })).statusCode, 401);
    });

    it('assigns unit grids to responsibility grids, each unit grid once', async () => {
      const rg = {
        name: { 'zh-CN': '西责任网格', en: 'West beat' },
        divisionCode: '330102001001',
        gridCodes: ['33010200100101'],
        workerIds: ['worker-1'],
      };
      const saved = await call('PUT', '/api/v1/responsibility-grids/RG-WEST-1', rg);
      assert.equal(saved.statusCode, 200, saved.body);
      const twice = await call('PUT', '/api/v1/responsibility-grids/RG-WEST-2', rg);
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().code, 'responsibility_grid.overlap');
      const notGrid = await call('PUT', '/api/v1/responsibility-grids/RG-WEST-3', {
        ...rg,
        gridCodes: ['330102001001'],
      });
      assert.equal(notGrid.json().code, 'division.unknown');
      const byWorker = await call('GET', '/api/v1/responsibility-grids?worker=worker-1');
      assert.deepEqual(
        byWorker.json().map((g: { code: string }) => g.code),
        ['RG-WEST-1'],
      );
      assert.equal((await call('DELETE', '/api/v1/responsibility-grids/RG-WEST-1')).statusCode, 204);
    });
  });
}
