module.exports = require('./runFolder').setup;
