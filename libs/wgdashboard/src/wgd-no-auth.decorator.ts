import { SetMetadata } from '@nestjs/common';

export const WGD_NO_AUTH = 'wgfleet:wgd-no-auth';

/**
 * The endpoints upstream's whitelist lets through without a key (notes §1.3, 4.2.5). Here it is
 * a property of the route, never a substring of the path, so a configuration named `locale`
 * opens nothing.
 */
export const WgdNoAuth = () => SetMetadata(WGD_NO_AUTH, true);
