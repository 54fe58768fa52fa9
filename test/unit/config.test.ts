import { expect } from 'chai';
import { ConfigError, DEMO_SUPER_ADMIN, loadConfig } from '../../src/config.js';

const base = { DATA_DIR: '.data/test', JWT_SECRET: 'x'.repeat(32) };
const masterKey = Buffer.alloc(32, 9);

describe('configuration', () => {
  it('fails fast naming every bad variable', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url' }))
      .to.throw(ConfigError, /PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/);
  });

  it('V2.10.4 requires a JWT secret in production and refuses a short one anywhere', () => {
    expect(() => loadConfig({ DATA_DIR: '.data/test', NODE_ENV: 'production' })).to.throw(ConfigError, /JWT_SECRET: required/);
    expect(() => loadConfig({ ...base, JWT_SECRET: 'short' })).to.throw(ConfigError, /JWT_SECRET/);
  });

  it('takes the super admin from the environment, both variables or neither', () => {
    expect(() => loadConfig({ ...base, SUPER_ADMIN_EMAIL: 'ops@example.com' })).to.throw(ConfigError, /go together/);
    const config = loadConfig({ ...base, SUPER_ADMIN_EMAIL: 'Ops@Example.com', SUPER_ADMIN_PASSWORD: 'Long#Enough#2026' });
    expect(config.superAdmin).to.deep.equal({ email: 'ops@example.com', password: 'Long#Enough#2026' });
  });

  it('uses the demo super admin only outside production', () => {
    expect(loadConfig(base).superAdmin).to.deep.equal(DEMO_SUPER_ADMIN);
    expect(loadConfig({ ...base, NODE_ENV: 'production', MASTER_KEY: masterKey.toString('base64') }).superAdmin).to.equal(undefined);
  });

  it('requires a 32-byte master key in production, in base64 or base64url', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).to.throw(ConfigError, /MASTER_KEY: required/);
    expect(() => loadConfig({ ...base, MASTER_KEY: Buffer.alloc(16).toString('base64') })).to.throw(ConfigError, /MASTER_KEY/);
    expect(loadConfig({ ...base, MASTER_KEY: masterKey.toString('base64') }).masterKey).to.deep.equal(masterKey);
    expect(loadConfig({ ...base, MASTER_KEY: masterKey.toString('base64url') }).masterKey).to.deep.equal(masterKey);
  });

  it('V4.3.1 keeps MFA mandatory for administrators by default in production and refuses switching it off there', () => {
    const production = { ...base, NODE_ENV: 'production', MASTER_KEY: masterKey.toString('base64') };
    expect(loadConfig(production).mfa).to.include({ requiredForAdmins: true, stepUpMaxAgeSeconds: 600, adminSetPasswordMustChange: true });
    expect(() => loadConfig({ ...production, MFA_REQUIRED_FOR_ADMINS: 'false' })).to.throw(ConfigError, /MFA_REQUIRED_FOR_ADMINS/);
    expect(loadConfig({ ...base, MFA_REQUIRED_FOR_ADMINS: 'false', STEP_UP_MAX_AGE_MINUTES: '5' }).mfa)
      .to.include({ requiredForAdmins: false, stepUpMaxAgeSeconds: 300 });
    // Outside production (the demo), both are off unless asked for: every login answers tokens as API.md shows.
    expect(loadConfig(base).mfa).to.include({ requiredForAdmins: false, adminSetPasswordMustChange: false });
    expect(loadConfig({ ...base, MFA_REQUIRED_FOR_ADMINS: 'true', ADMIN_SET_PASSWORD_MUST_CHANGE: 'true' }).mfa)
      .to.include({ requiredForAdmins: true, adminSetPasswordMustChange: true });
  });

  it('keeps argon2 at its full default cost unless told otherwise', () => {
    expect(loadConfig(base).argon2).to.deep.equal({ memoryCost: 65_536, timeCost: 3, parallelism: 4 });
  });
});
