import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePassword, hashPassword, passwordProblems, verifyPassword } from './password.ts';

test('scrypt hashes carry a per-user salt and their parameters, and verify', async () => {
  const a = await hashPassword('Correct-horse-42');
  const b = await hashPassword('Correct-horse-42');
  assert.match(a, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b, 'different salts');
  assert.equal(await verifyPassword('Correct-horse-42', a), true);
  assert.equal(await verifyPassword('Correct-horse-43', a), false);
  assert.equal(await verifyPassword('Correct-horse-42', 'md5$abc'), false);
  const cheap = await hashPassword('Correct-horse-42', { N: 1024, r: 8, p: 1, keyLength: 32 });
  assert.equal(await verifyPassword('Correct-horse-42', cheap), true, 'stored parameters are honoured');
});

test('the policy names every rule a password breaks', () => {
  assert.deepEqual(passwordProblems('Correct-horse-42', 'alice'), []);
  assert.deepEqual(passwordProblems('abc', 'alice'), [
    'must be at least 10 characters long',
    'must contain a digit',
  ]);
  assert.deepEqual(passwordProblems('alice-2026-x', 'alice'), ['must not contain the username']);
  assert.deepEqual(passwordProblems('Qwerty12345', 'bob'), ['is too common']);
  assert.deepEqual(passwordProblems('1234567890', 'bob'), ['must contain a letter']);
  assert.deepEqual(passwordProblems('城市治理平台一号二号三号4', 'bob'), [], 'letters of any script count');
});

test('generated passwords pass the policy', () => {
  for (let i = 0; i < 50; i++) assert.deepEqual(passwordProblems(generatePassword(), 'admin'), []);
});
