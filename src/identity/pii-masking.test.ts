import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANONYMOUS, type Principal, type Role } from './permissions.ts';
import {
  canSeePersonalData,
  maskAddress,
  maskEmail,
  maskName,
  maskPersonalData,
  maskPhone,
} from './pii-masking.ts';

const as = (role: Role): Principal => ({
  kind: 'user',
  id: role,
  username: role,
  roles: [role],
  departmentCodes: [],
  divisionCodes: [],
});

test('phones keep their first three and last four digits', () => {
  assert.equal(maskPhone('13812341234'), '138****1234');
  assert.equal(maskPhone('138-1234-1234'), '138****1234');
  assert.equal(maskPhone('+8613812341234'), '+86138****1234');
  assert.equal(maskPhone('12345'), '***45');
  assert.equal(maskPhone(null), null);
});

test('names, e-mails and addresses keep only what does not identify', () => {
  assert.equal(maskName('张三丰'), '张**');
  assert.equal(maskName('李四'), '李*');
  assert.equal(maskName('Alice Smith'), 'A****');
  assert.equal(maskEmail('zhang.san@example.cn'), 'z***@example.cn');
  assert.equal(maskEmail('broken'), '***');
  assert.equal(maskAddress('西湖区文三路 123号 5幢 2单元'), '西湖区文三路****');
  assert.equal(maskAddress('Baker Street'), 'Baker****');
  assert.equal(maskAddress(undefined), null);
});

test('only supervision operators, dispatchers and admins see personal data', () => {
  const allowed = ['supervision_operator', 'dispatcher', 'admin'];
  for (const role of [
    'citizen',
    'grid_worker',
    'supervision_operator',
    'dispatcher',
    'department_handler',
    'department_leader',
    'street_officer',
    'city_leader',
    'auditor',
    'admin',
  ] as Role[])
    assert.equal(canSeePersonalData(as(role)), allowed.includes(role), role);
  assert.equal(canSeePersonalData(ANONYMOUS), false);
});

test('maskPersonalData masks the personal fields of a record for those who may not see them', () => {
  const reporter = {
    name: '王小明',
    phone: '13900001111',
    email: 'wxm@example.cn',
    address: '滨江区江南大道 88号',
    note: 'kept',
  };
  assert.deepEqual(maskPersonalData(as('dispatcher'), reporter), reporter);
  assert.deepEqual(maskPersonalData(as('department_handler'), reporter), {
    name: '王**',
    phone: '139****1111',
    email: 'w***@example.cn',
    address: '滨江区江南大道****',
    note: 'kept',
  });
  const partial = maskPersonalData(as('citizen'), { phone: '13900001111' });
  assert.deepEqual(partial, { phone: '139****1111' });
});
