import { expect } from 'chai';
import { displayName } from '../../../src/claims/documents/receive.js';
import { sniffMediaType } from '../../../src/claims/documents/sniff.js';

describe('claim documents: type from the bytes, names for display only', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

  it('knows PDF, JPEG, PNG and WebP by their signatures', () => {
    expect(sniffMediaType(bytes('%PDF-1.7\n'))).to.equal('application/pdf');
    expect(sniffMediaType(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).to.equal('image/jpeg');
    expect(sniffMediaType(bytes([0x89], 'PNG\r\n', [0x1a, 0x0a], 'IHDR'))).to.equal('image/png');
    expect(sniffMediaType(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))).to.equal('image/webp');
  });

  it('refuses look-alikes and everything else', () => {
    for (const head of [bytes(' %PDF-1.7'), bytes('%PDF'), bytes('RIFF', [0, 0, 0, 0], 'WAVE'), bytes([0x89], 'PNG\r\n'), bytes('<svg xmlns'),
      bytes('GIF89a'), bytes('PK', [3, 4]), bytes('')]) {
      expect(sniffMediaType(head), head.toString('latin1')).to.equal(undefined);
    }
  });

  it("keeps only the last segment of a client's file name, without control characters", () => {
    expect(displayName('../../etc/passwd')).to.equal('passwd');
    expect(displayName('C:\\scans\\bill 1.pdf')).to.equal('bill 1.pdf');
    expect(displayName('a\u0000b\nc.png')).to.equal('abc.png');
    expect(displayName('   ')).to.equal(null);
    expect(displayName(undefined)).to.equal(null);
    expect(displayName('x'.repeat(300))).to.have.length(255);
  });
});
