import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { escapeXml, toXml } from './open311-xml.ts';

describe('Open311 XML writer', () => {
  it('writes nested documents with named array items and empty elements for null', () => {
    const xml = toXml(
      'service_definition',
      {
        service_code: 'A.1',
        attributes: [{ code: 'x', required: true, order: 1, values: [{ key: 'k', name: 'K & <v>' }] }],
        none: null,
      },
      { attributes: 'attribute', values: 'value' },
    );
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>A.1</service_code><attributes><attribute><code>x</code><required>true</required><order>1</order><values><value><key>k</key><name>K &amp; &lt;v&gt;</name></value></values></attribute></attributes><none/></service_definition>',
    );
    const parsed = new XMLParser({ parseTagValue: false }).parse(xml);
    assert.equal(parsed.service_definition.attributes.attribute.values.value.name, 'K & <v>');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    assert.equal(escapeXml(`a<b>&"c'\u0001\u0008d\tz`), 'a&lt;b&gt;&amp;&quot;c&apos;d\tz');
    assert.equal(escapeXml('井盖丢了 🚧'), '井盖丢了 🚧');
  });

  it('refuses element names that are not XML names', () => {
    assert.throws(() => toXml('root', { 'bad name': 1 }));
  });
});
