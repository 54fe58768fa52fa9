import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

// The WebAuthn relying party (ASVS V2.3.2): credentials are bound to its id, assertions to its origins.
const base = { DATA_DIR: '.data/test', JWT_SECRET: 'x'.repeat(32) };

describe('WebAuthn relying party configuration', () => {
  it('V2.3.2 derives the RP id and origin from PUBLIC_URL, else localhost and the port', () => {
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://api.agentmitra.in/v1' }).webauthn)
      .to.deep.include({ rpId: 'api.agentmitra.in', origins: ['https://api.agentmitra.in'] });
    expect(loadConfig({ ...base, PORT: '8080' }).webauthn).to.deep.include({ rpId: 'localhost', origins: ['http://localhost:8080'] });
  });

  it('V2.3.2 takes WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS, and refuses an origin outside the RP id', () => {
    const config = loadConfig({ ...base, WEBAUTHN_RP_ID: 'AgentMitra.in', WEBAUTHN_ORIGINS: 'https://app.agentmitra.in, https://agentmitra.in/' });
    expect(config.webauthn).to.deep.include({ rpId: 'agentmitra.in', origins: ['https://app.agentmitra.in', 'https://agentmitra.in'] });
    expect(() => loadConfig({ ...base, WEBAUTHN_RP_ID: 'agentmitra.in', WEBAUTHN_ORIGINS: 'https://evilagentmitra.in' }))
      .to.throw(ConfigError, /WEBAUTHN_ORIGINS/);
    expect(() => loadConfig({ ...base, WEBAUTHN_ORIGINS: 'not an origin' })).to.throw(ConfigError, /WEBAUTHN_ORIGINS/);
  });
});
