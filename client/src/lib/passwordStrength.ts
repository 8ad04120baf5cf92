// Loaded on demand (dynamic import) the first time someone types a new password: the
// dictionaries are large and nobody else needs them. It is the server's own estimator module
// (same dictionaries, options, NFKC normalisation and scored prefix), so hint and verdict agree.
export { estimatePassword, type StrengthEstimate, type StrengthScore } from '../../../server/auth/passwordEstimator';
