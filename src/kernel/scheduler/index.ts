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
export {
  JOB_PRUNE_BATCH,
  JOB_PRUNE_JOB,
  type JobRetention,
  pruneFinishedJobs,
  scheduleJobPruning,
} from './job-pruning.ts';
