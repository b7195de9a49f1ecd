export { type MysqlStoreOptions, openMysqlStore } from './open-mysql-store.js';
