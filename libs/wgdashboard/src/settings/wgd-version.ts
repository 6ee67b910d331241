/** The version wgfleet answers as: the release whose behaviour it reproduces (notes, decision 1). */
export const WGD_VERSION = 'v4.2.5';
