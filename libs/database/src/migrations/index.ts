import { CreateAuditLog1763900000000 } from './1763900000000-CreateAuditLog.js';
import { CreateAccountsAndApiKeys1763900100000 } from './1763900100000-CreateAccountsAndApiKeys.js';
import { CreateFleet1763900200000 } from './1763900200000-CreateFleet.js';
import { CreatePeerStatus1763900600000 } from './1763900600000-CreatePeerStatus.js';
import { CreateServerRemoval1763900700000 } from './1763900700000-CreateServerRemoval.js';
import { CreateWgdApiKeys1763900800000 } from './1763900800000-CreateWgdApiKeys.js';
import { OperatorPeers1763901000000 } from './1763901000000-OperatorPeers.js';
import { CreateWgdSettings1763901100000 } from './1763901100000-CreateWgdSettings.js';
import { AddServerEnabled1763901200000 } from './1763901200000-AddServerEnabled.js';
import { CreateWgdShareLinks1763901300000 } from './1763901300000-CreateWgdShareLinks.js';
import { CreateWgdPeerJobs1763901400000 } from './1763901400000-CreateWgdPeerJobs.js';
import { CreateWgdBackups1763901500000 } from './1763901500000-CreateWgdBackups.js';
import { CreateServerPollClaim1763901600000 } from './1763901600000-CreateServerPollClaim.js';
import { CreateStatusPollers1763901700000 } from './1763901700000-CreateStatusPollers.js';
import { IdempotencyClaimOwnership1763901700100 } from './1763901700100-IdempotencyClaimOwnership.js';
import { AddWgdConfigurationPublicKeyHidden1763902000000 } from './1763902000000-AddWgdConfigurationPublicKeyHidden.js';
import { AddServicePlans1763902100000 } from './1763902100000-AddServicePlans.js';
import { CreateUsageBaselines1763902200000 } from './1763902200000-CreateUsageBaselines.js';

/** Every migration, oldest first. Listed explicitly so the app, the CLI and the tests agree. */
export const MIGRATIONS = [CreateAuditLog1763900000000, CreateAccountsAndApiKeys1763900100000, CreateFleet1763900200000, CreatePeerStatus1763900600000, CreateServerRemoval1763900700000, CreateWgdApiKeys1763900800000, OperatorPeers1763901000000, CreateWgdSettings1763901100000, AddServerEnabled1763901200000, CreateWgdShareLinks1763901300000, CreateWgdPeerJobs1763901400000, CreateWgdBackups1763901500000, CreateServerPollClaim1763901600000, CreateStatusPollers1763901700000, IdempotencyClaimOwnership1763901700100, AddWgdConfigurationPublicKeyHidden1763902000000, AddServicePlans1763902100000, CreateUsageBaselines1763902200000];
