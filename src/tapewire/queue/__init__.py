"""Scale-out: the pipeline's stages as Celery tasks on a broker, run by `tapewire worker`s."""
