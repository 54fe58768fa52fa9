import { expect } from 'chai';
import { BusinessRuleError } from '../../src/errors.js';
import { assertWithinStorageLimit } from '../../src/limits/storage.js';

describe('assertWithinStorageLimit', () => {
  const GB = 1024 ** 3;
  it('lets an upload through up to the byte and refuses one byte more, naming the limit and the field', () => {
    expect(() => assertWithinStorageLimit(GB - 10, 10, 1)).to.not.throw();
    expect(() => assertWithinStorageLimit(GB - 10, 11, 1, 'body.file')).to.throw(BusinessRuleError, /storage limit of 1 GB/)
      .with.property('errors').that.deep.equals([{ path: 'body.file', message: "exceeds the tenant's storage_limit_gb of 1" }]);
  });
});
