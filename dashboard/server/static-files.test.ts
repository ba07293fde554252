import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentTypeFor, resolveInside } from './static-files.js';

describe('resolveInside', () => {
  const root = '/srv/client';
  it('maps paths into the root', () => {
    assert.equal(resolveInside(root, '/'), '/srv/client');
    assert.equal(resolveInside(root, '/index.html'), '/srv/client/index.html');
    assert.equal(resolveInside(root, '/assets/a%20b.js'), '/srv/client/assets/a b.js');
  });
  it('refuses every way out of it', () => {
    for (const p of ['/../etc/passwd', '/..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x', '/a%00b', '/..\\x', '/%E0%A4%A']) {
      assert.equal(resolveInside(root, p), undefined, p);
    }
    assert.equal(resolveInside(root, '/../client-secret/x'), undefined, 'a sibling sharing the prefix');
  });
});

describe('contentTypeFor', () => {
  it('knows the built client and the URDF', () => {
    assert.match(contentTypeFor('index.html'), /^text\/html/);
    assert.match(contentTypeFor('assets/index-x.JS'), /^text\/javascript/);
    assert.match(contentTypeFor('robot.urdf'), /^application\/xml/);
    assert.equal(contentTypeFor('blob.bin'), 'application/octet-stream');
  });
});
