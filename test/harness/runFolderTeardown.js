module.exports = require('./runFolder').teardown;
