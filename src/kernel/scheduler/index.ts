export {
  createScheduler,
  isLockNotAvailable,
  JobBusyError,
  retryDelayMs,
  type Job,
  type JobHandler,
  type ScheduleRequest,
  type Scheduler,
  schedulerMigrations,
} from './scheduler.ts';
