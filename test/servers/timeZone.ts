/**
 * The zone the database servers run in: neither UTC nor a zone the test projects give the Node process (see
 * jest.config.js), so a value the server reads or writes in its own zone, or one Node reads in the process's zone, is
 * off by hours and fails a test instead of two mistakes cancelling out. Asia/Kathmandu is +05:45, without DST.
 */
export const SERVER_TIME_ZONE = 'Asia/Kathmandu';
